import type { z } from 'zod';

/** `projects[0].qa[1]` — the path of a problem as a person reads it. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');

/**
 * Every problem zod found, as `field: what was expected` — the shape of every validation
 * error deploybot reports (config file, environment, messages, queries). `root` names the
 * whole input when a problem is not about one field.
 */
export const describeIssues = (error: z.ZodError, root = '(root)'): string[] =>
  error.issues.map((issue) => `${formatPath(issue.path) || root}: ${issue.message}`);
