import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from './config-error';
import { describeIssues } from './describe-issues';
import { ProjectConfig, ProjectsFileSchema } from './projects.schema';

/** The validated projects file, with lookups by id. */
export class Projects {
  private readonly byId: Map<string, ProjectConfig>;

  constructor(readonly all: readonly ProjectConfig[]) {
    this.byId = new Map(all.map((p) => [p.id, p]));
  }

  get(id: string): ProjectConfig | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}

/** Parses and validates the projects YAML text; `source` names the file in errors. */
export function parseProjects(text: string, source: string): Projects {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const result = ProjectsFileSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  const problems = duplicateIds(result.data.projects);
  if (problems.length) throw new ConfigError(source, problems);
  return new Projects(result.data.projects);
}

export function loadProjects(path: string): Projects {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      code === 'ENOENT'
        ? 'file not found (set DEPLOYBOT_CONFIG to the path of the projects YAML file)'
        : `cannot read the file: ${(error as Error).message}`,
    ]);
  }
  return parseProjects(text, path);
}

function duplicateIds(projects: ProjectConfig[]): string[] {
  const seen = new Set<string>();
  return projects.flatMap((p, i) => {
    if (seen.has(p.id)) return [`projects[${i}].id: "${p.id}" is used by more than one project`];
    seen.add(p.id);
    return [];
  });
}
