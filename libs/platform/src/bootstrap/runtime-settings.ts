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

/**
 * What the deployer and the notifier add (apply-lean-runtime-settings.ts): V8's
 * `--optimize-for-size` — smaller heap growth steps, less optimized code kept, memory given back
 * sooner. The two services that hold the most (the Kubernetes client's code; the Slack
 * conversations in flight) and are not throughput-bound: 6–18 MB less RSS for about a fifth more
 * CPU time, a few ms per build (docs/benchmarks.md, "Memory (RSS) per service"). The gateway,
 * which answers every click and webhook, and approvals keep V8's speed-first defaults. A flag
 * without a value is written as ''.
 */
export const LEAN_NODE_FLAGS: Readonly<Record<string, string>> = { '--optimize-for-size': '' };

/** Heap size flags V8 refuses next to `--max-heap-size`. */
const HEAP_SIZE_FLAGS = new Set(['--max-semi-space-size', '--max-old-space-size']);

/** `--max_semi_space_size=8` → `--max-semi-space-size`; `--no-optimize-for-size` → `--optimize-for-size` (V8 takes either spelling). */
const flagName = (option: string): string =>
  option
    .split('=', 1)[0]
    .replaceAll('_', '-')
    .replace(/^--no-/, '--');

/**
 * The flags of `wanted` that neither the command line nor NODE_OPTIONS sets (either way: a
 * `--no-…` given by the operator counts as set), as `--flag=value` or `--flag`. The heap size flags
 * are left out when `--max-heap-size` is set: V8 refuses it together with both of them.
 */
export function missingNodeFlags(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  wanted: Readonly<Record<string, string>> = NODE_FLAGS,
): string[] {
  const given = givenFlags(execArgv, nodeOptions);
  return Object.entries(wanted)
    .filter(([flag]) => !given.has(flag) && !(HEAP_SIZE_FLAGS.has(flag) && given.has('--max-heap-size')))
    .map(([flag, value]) => (value === '' ? flag : `${flag}=${value}`));
}

/** Node's profiler flags: their sampling signal (SIGPROF) outlives execve and kills the restarted process before its profiler is up. */
const PROFILER_FLAGS = new Set(['--cpu-prof', '--heap-prof', '--prof']);

/** The profiler flag given on the command line or in NODE_OPTIONS, if any: the service then must not restart itself. */
export function profilerFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  return [...givenFlags(execArgv, nodeOptions)].find((flag) => PROFILER_FLAGS.has(flag));
}

/** The flags the command line and NODE_OPTIONS give, by name (see flagName). */
function givenFlags(execArgv: readonly string[], nodeOptions: string | undefined): Set<string> {
  return new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((o) => o.startsWith('--')).map(flagName));
}

/** The variables of NODE_ENVIRONMENT that the environment does not set. */
export function missingEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(NODE_ENVIRONMENT).filter(([name]) => env[name] === undefined));
}

/**
 * Starts this process again in place with the flags of `wanted` and NODE_ENVIRONMENT it lacks (see
 * apply-runtime-settings.ts); returns when nothing is missing, or when execve is not there or fails.
 */
export function applyRuntimeSettings(wanted: Readonly<Record<string, string>>): void {
  const flags = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS, wanted);
  const environment = missingEnvironment(process.env);
  // Nothing missing; or Windows, which has no execve (the service then runs with Node's defaults).
  if ((flags.length === 0 && Object.keys(environment).length === 0) || typeof process.execve !== 'function') return;
  const profiler = profilerFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (profiler) {
    process.stderr.write(
      `deploybot: ${profiler} is on, so the service does not restart itself with its memory settings (a profiler's signal would kill the restarted process); running without ${[...flags, ...Object.entries(environment).map(([k, v]) => `${k}=${v}`)].join(' ')} — give them yourself to profile with them\n`,
    );
    return;
  }
  try {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      ...environment,
    });
  } catch (error) {
    // execve failed and left this process as it was: run on with Node's defaults, and say so.
    process.stderr.write(`deploybot: running without the memory settings (${flags.join(' ')}): ${(error as Error).message}\n`);
  }
}
