/**
 * The memory settings every deploybot service runs with (docs/operations.md, "Memory"), applied
 * by ./apply-runtime-settings.ts. What the operator set wins: a flag given on the command line or
 * in NODE_OPTIONS, or a variable already in the environment, is left as it is.
 */

/** V8 flags and their defaults for a deploybot service. */
export const NODE_FLAGS: Readonly<Record<string, string>> = {
  // Young generation: two semi-spaces of at most 4 MB (Node 26 lets them grow to 32 MB each on a
  // machine with a few GB, which a busy service fills and keeps resident).
  '--max-semi-space-size': '4',
  // Old generation limit. Below 2 GB V8 also lets the heap grow less between full collections
  // (factor 1.3–2 instead of up to 4), so the heap stays nearer to what is alive.
  '--max-old-space-size': '512',
};

/** Environment read by the C library at start: at most 2 malloc arenas (glibc's default is 8 per core). */
export const NODE_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** `--max_semi_space_size=8` → `--max-semi-space-size` (V8 takes either spelling). */
const flagName = (option: string): string => option.split('=', 1)[0].replaceAll('_', '-');

/**
 * The flags of NODE_FLAGS that neither the command line nor NODE_OPTIONS sets, as `--flag=value`.
 * None when `--max-heap-size` is set: V8 refuses it together with both of the others.
 */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((o) => o.startsWith('--')).map(flagName));
  if (given.has('--max-heap-size')) return [];
  return Object.entries(NODE_FLAGS)
    .filter(([flag]) => !given.has(flag))
    .map(([flag, value]) => `${flag}=${value}`);
}

/** The variables of NODE_ENVIRONMENT that the environment does not set. */
export function missingEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(NODE_ENVIRONMENT).filter(([name]) => env[name] === undefined));
}
