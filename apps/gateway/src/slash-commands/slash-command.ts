import type { BuildType } from '@app/contracts';
import { quote } from '../http/quote';
import { targetNameProblem } from '../builds/target-name';

/** The subcommands of `/deploybot`, in the order help lists them. */
export const SUBCOMMANDS = ['status', 'builds', 'releases', 'promote', 'close', 'help'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** A build's project, type and target, as `promote` and `close` name it: `shop branch/feature/login`. */
export interface TargetRef {
  project: string;
  type: BuildType;
  target: string;
}

/** What a person asked for with `/deploybot <text>`, checked at the boundary. */
export type SlashCommand =
  | { kind: 'help' }
  | { kind: 'status'; project?: string }
  | { kind: 'builds'; project: string }
  | { kind: 'releases'; project: string }
  | ({ kind: 'promote' } & TargetRef)
  | ({ kind: 'close' } & TargetRef)
  /** Not a command deploybot knows, or one it cannot read: answered with the problem and the usage line. */
  | { kind: 'invalid'; problem: string; subcommand?: Subcommand };

/** The projects a command may name (the projects file's ids). */
export interface KnownProjects {
  ids(): string[];
  get(id: string): unknown;
}

/**
 * Reads the text after `/deploybot` (pure). Words are separated by any whitespace; the
 * subcommand is case-insensitive; projects must be in the projects file; a target is
 * `<branch|tag>/<name>` (or the two as separate words), the name under git's ref rules.
 * Anything else is `invalid`, with what was wrong, never an exception.
 */
export function parseSlashCommand(text: string, projects: KnownProjects): SlashCommand {
  const [first, ...args] = text.trim().split(/\s+/).filter(Boolean);
  if (first === undefined) return { kind: 'help' };
  const subcommand = first.toLowerCase();
  switch (subcommand) {
    case 'help':
      return args.length === 0 ? { kind: 'help' } : tooMany('help', args);
    case 'status':
      if (args.length === 0) return { kind: 'status' };
      if (args.length > 1) return tooMany('status', args.slice(1));
      return withProject('status', args[0], projects, (project) => ({ kind: 'status', project }));
    case 'builds':
    case 'releases':
      if (args.length === 0) return { kind: 'invalid', problem: `${subcommand} needs a project`, subcommand };
      if (args.length > 1) return tooMany(subcommand, args.slice(1));
      return withProject(subcommand, args[0], projects, (project) => ({ kind: subcommand, project }));
    case 'promote':
    case 'close':
      return targetCommand(subcommand, args, projects);
    default:
      return { kind: 'invalid', problem: `${quote(first)} is not a deploybot command` };
  }
}

function targetCommand(kind: 'promote' | 'close', args: string[], projects: KnownProjects): SlashCommand {
  if (args.length === 0) return { kind: 'invalid', problem: `${kind} needs a project and a branch or tag`, subcommand: kind };
  const [project, ...rest] = args;
  if (rest.length === 0) return { kind: 'invalid', problem: `${kind} needs a branch or tag after the project`, subcommand: kind };
  const ref = rest.length === 2 ? `${rest[0]}/${rest[1]}` : rest.length === 1 ? rest[0] : undefined;
  if (ref === undefined) return tooMany(kind, rest.slice(2));
  const slash = ref.indexOf('/');
  const type = (slash === -1 ? ref : ref.slice(0, slash)).toLowerCase();
  const target = slash === -1 ? '' : ref.slice(slash + 1);
  if (type !== 'branch' && type !== 'tag') {
    return { kind: 'invalid', problem: `${quote(ref)} is not branch/<name> or tag/<name>`, subcommand: kind };
  }
  if (target === '')
    return { kind: 'invalid', problem: `expected ${type}/<name> (e.g. ${type}/main), got ${quote(ref)}`, subcommand: kind };
  const problem = targetNameProblem(target);
  if (problem) return { kind: 'invalid', problem: `${quote(target)} is not a valid ${type} name (${problem})`, subcommand: kind };
  return withProject(kind, project, projects, (id) => ({ kind, project: id, type, target }));
}

function withProject(subcommand: Subcommand, project: string, projects: KnownProjects, then: (id: string) => SlashCommand): SlashCommand {
  if (projects.get(project) !== undefined) return then(project);
  return {
    kind: 'invalid',
    problem: `${quote(project)} is not a project deploybot knows (expected one of: ${projects.ids().join(', ')})`,
    subcommand,
  };
}

const tooMany = (subcommand: Subcommand, extra: string[]): SlashCommand => ({
  kind: 'invalid',
  problem: `unexpected ${quote(extra.join(' '))} after ${subcommand}`,
  subcommand,
});
