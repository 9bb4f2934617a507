import { BuildType } from '@app/contracts';
import { Problem } from '../http/refusal';
import { quote } from '../http/quote';
import { singleString, unknownProjectProblem } from './build-request';
import { targetNameProblem } from './target-name';

/** CI says a branch (or tag) is gone: its preview is torn down. */
export interface BranchDeletedRequest {
  project: string;
  type: BuildType;
  target: string;
}

export type BranchDeletedCheck = { ok: true; request: BranchDeletedRequest } | { ok: false; status: 400 | 404; problems: Problem[] };

/**
 * Validates the body of `POST /branch-deleted` (form or JSON): `project`, `target`, and `type`
 * (`branch` unless given) — the fields of `POST /build-complete` without the image.
 */
export function checkBranchDeletedRequest(body: Record<string, unknown>, knownProjects: readonly string[]): BranchDeletedCheck {
  const problems: Problem[] = [];
  const project = field(body, 'project', problems);
  const target = field(body, 'target', problems);
  const type = body.type === undefined || body.type === '' ? 'branch' : field(body, 'type', problems);

  if (type !== undefined && !BuildType.safeParse(type).success)
    problems.push({ field: 'type', message: `${quote(type)} is not a build type (expected "branch" or "tag")` });
  if (target !== undefined) {
    const problem = targetNameProblem(target);
    if (problem) problems.push({ field: 'target', message: `${quote(target)} is not a valid branch or tag name (${problem})` });
  }
  const unknownProject = project !== undefined && !knownProjects.includes(project);
  if (unknownProject) problems.push(unknownProjectProblem(project, knownProjects));

  if (problems.length === 0) return { ok: true, request: { project: project!, type: type as BuildType, target: target! } };
  return { ok: false, status: unknownProject && problems.length === 1 ? 404 : 400, problems };
}

function field(body: Record<string, unknown>, name: string, problems: Problem[]): string | undefined {
  const value = singleString(body[name]);
  if (typeof value === 'string') return value;
  problems.push({ field: name, message: value.problem });
  return undefined;
}
