// The benchmarks `npm run bench` runs, in order. Each one measures deploybot beside its peer in
// the same run (Emmett, Bolt, the watcher's own read mode, the targets), prints its
// figures on stdout and leaves its own method in the section of docs/benchmarks.md whose markers
// (`<!-- suite:<name>:start -->` … `:end -->`) receive them.

/** One benchmark of the suite. */
export interface Bench {
  /** The markers' name in docs/benchmarks.md. */
  name: string;
  title: string;
  command: [string, string[]];
  /** A benchmark still running after this long is stopped and reported; the suite goes on. */
  timeoutMin: number;
  /** stdout → markdown; undefined puts the output verbatim in a code block. */
  render(stdout: string): string | undefined;
}

const runTs = (file: string): [string, string[]] => ['node', ['scripts/run-ts.cjs', file]];

/** Figures the flow benchmark prints, as a table beside the targets of issue #15 (item 3). */
export function flowTable(stdout: string): string | undefined {
  const line = (label: string) => new RegExp(`${label}[^\\n]*?p50 (\\d+) ms, p95 (\\d+) ms, max (\\d+) ms \\(n=(\\d+)\\)`).exec(stdout);
  const rows = (
    [
      ['CI request → every QA DM posted', line('CI request → QA DMs posted'), 'p50 ≤ 100 ms, p95 ≤ 250 ms'],
      ["owner's click → production announced", line("owner's click → production announced"), 'p95 ≤ 300 ms'],
    ] as const
  ).flatMap(([label, m, target]) => (m ? [{ label, m, target }] : []));
  if (rows.length === 0) return undefined;
  const burst = /(\d+) builds across (\d+) projects: accepted in (\d+) ms; every QA DM posted after ([\d.]+) s = ([\d.]+) builds\/s/.exec(
    stdout,
  );
  return [
    '| measure (sequential builds) | p50 | p95 | max | n | target (issue #15) |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map(({ label, m, target }) => `| ${label} | ${m[1]} ms | ${m[2]} ms | ${m[3]} ms | ${m[4]} | ${target} |`),
    ...(burst
      ? [
          '',
          `Burst: ${burst[1]} builds across ${burst[2]} projects accepted in ${burst[3]} ms; every QA DM posted after ${burst[4]} s (${burst[5]} builds/s).`,
        ]
      : []),
  ].join('\n');
}

const verbatim = (s: string) => s.trim();

/**
 * Sizes come from each benchmark's own variables (the caller's environment). The longest runs
 * first: a suite cut short (a timeout, a stop) still has the soak; the others are quick to run alone.
 */
export const BENCHES: Bench[] = [
  { name: 'soak', title: 'Soak', command: runTs('bench/e2e/soak.bench.ts'), timeoutMin: 40, render: verbatim },
  { name: 'flow', title: 'The whole flow', command: runTs('bench/e2e/flow.bench.ts'), timeoutMin: 20, render: flowTable },
  {
    name: 'memory',
    title: 'Memory (RSS) per service',
    command: runTs('bench/memory/rss.bench.ts'),
    timeoutMin: 15,
    render: verbatim,
  },
  {
    name: 'rollout-follow',
    title: 'Following a rollout: watch against reads',
    command: runTs('bench/deployer/rollout-follow.bench.ts'),
    timeoutMin: 15,
    render: verbatim,
  },
  {
    name: 'event-store',
    title: 'Event store against Emmett',
    command: runTs('bench/approvals/event-store.bench.ts'),
    timeoutMin: 15,
    render: verbatim,
  },
  {
    name: 'gateway',
    title: 'Gateway against Bolt',
    command: ['node', ['bench/gateway/run.mjs', '--skip-build']],
    timeoutMin: 20,
    render: verbatim,
  },
];
