import { BuildType } from '@app/contracts';
import { Problem } from '../http/refusal';
import { quote } from '../http/quote';
import { parseImageReference } from './image-reference';
import { targetNameProblem } from './target-name';

/** What CI reports: an image was built for a branch or tag of a project. */
export interface BuildRequest {
  project: string;
  image: string;
  type: BuildType;
  target: string;
}

/** 404 when the only thing wrong is an unknown project; 400 for everything else. */
export type BuildRequestCheck = { ok: true; request: BuildRequest } | { ok: false; status: 400 | 404; problems: Problem[] };

const FIELDS = ['project', 'image', 'type', 'target'] as const;
const LISTED_PROJECTS = 10;

/**
 * Validates the body of `POST /build-complete` (form or JSON, already decoded into an
 * object) against the grammar of each field and the configured projects.
 */
export function checkBuildRequest(body: Record<string, unknown>, knownProjects: readonly string[]): BuildRequestCheck {
  const problems: Problem[] = [];
  const values: Partial<Record<(typeof FIELDS)[number], string>> = {};
  for (const field of FIELDS) {
    const value = singleString(body[field]);
    if (typeof value === 'string') values[field] = value;
    else problems.push({ field, message: value.problem });
  }
  const { project, image, type, target } = values;

  if (image !== undefined) {
    const check = parseImageReference(image);
    if (!check.ok) problems.push({ field: 'image', message: check.message });
  }
  if (type !== undefined && !BuildType.safeParse(type).success) {
    problems.push({ field: 'type', message: `${quote(type)} is not a build type (expected "branch" or "tag")` });
  }
  if (target !== undefined) {
    const problem = targetNameProblem(target);
    if (problem) problems.push({ field: 'target', message: `${quote(target)} is not a valid branch or tag name (${problem})` });
  }
  const unknownProject = project !== undefined && !knownProjects.includes(project);
  if (unknownProject) problems.push(unknownProjectProblem(project, knownProjects));

  if (problems.length === 0) return { ok: true, request: { project: project!, image: image!, type: type as BuildType, target: target! } };
  return { ok: false, status: unknownProject && problems.length === 1 ? 404 : 400, problems };
}

/** `Idempotency-Key`: printable ASCII, as CI systems send run or job ids. */
export function idempotencyKeyProblem(key: string): Problem | undefined {
  if (/^[\x20-\x7e]{1,255}$/.test(key)) return undefined;
  return { field: 'Idempotency-Key', message: 'expected 1 to 255 printable ASCII characters' };
}

/** `project`: not one of the projects file's. */
export const unknownProjectProblem = (project: string, knownProjects: readonly string[]): Problem => ({
  field: 'project',
  message: `${quote(project)} is not a configured project (${describe(knownProjects)})`,
});

/** A form or JSON field that must be one non-empty string. */
export function singleString(value: unknown): string | { problem: string } {
  if (value === undefined || value === null || value === '') return { problem: 'is required' };
  if (Array.isArray(value)) return { problem: `expected one value, got ${value.length}` };
  if (typeof value !== 'string') return { problem: `expected a string, got ${typeof value}` };
  return value;
}

function describe(known: readonly string[]): string {
  if (known.length === 0) return 'no projects are configured';
  const listed = known.slice(0, LISTED_PROJECTS).join(', ');
  return `expected one of: ${listed}${known.length > LISTED_PROJECTS ? ', …' : ''}`;
}
