import type { MachineCpu, ProcessUsage } from './process-usage';
import type { StreamSize, TableSize } from './store-sizes';
import { cpuBetween, slope, spread, windowsOf, type Spread } from './windows';

/** One build the soak drove: when it started against when it was due, and how long each part took. */
export interface BuildRun {
  index: number;
  project: string;
  /** How much later than its slot the build started (its project's previous build still running). */
  lagMs: number;
  /** CI's POST /build-complete → the QA and owner DMs with buttons posted. */
  toQaMs?: number;
  /** The owner's Deploy to production click → "deployed to production" in the channel. */
  toProductionMs?: number;
  /** The whole build: CI's request → production announced (both clicks included). */
  totalMs?: number;
  error?: string;
}

/** Every service's usage at one moment, and how many builds had finished by then. */
export interface UsageSample {
  atMs: number;
  finished: number;
  usage: Record<string, ProcessUsage | undefined>;
  /** V8 heap in use per process (from each service's /metrics), bytes; missing when it could not be read. */
  heapUsed: Record<string, number | undefined>;
  /** The machine's 1-minute load average then (other people's work included). */
  load1?: number;
  /** The machine's CPU time so far, every core (other people's work, PostgreSQL and nats-server included). */
  machine?: MachineCpu;
}

export interface SoakFigures {
  builds: number;
  projects: number;
  rate: number;
  windowSize: number;
  runs: BuildRun[];
  /** Right after the stack started, then one at the end of each window, then after the settle time. */
  started: UsageSample;
  windows: UsageSample[];
  final: UsageSample;
  /** Highest RSS seen by the periodic sampler, per process. */
  peakRss: Record<string, number>;
  tablesBefore: TableSize[];
  tablesAfter: TableSize[];
  streams: StreamSize[];
  durationMs: number;
  qaDmsPerBuild: { min: number; max: number };
}

const MB = 1024 * 1024;
const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / MB).toFixed(0));
const ms = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(0));
const spreadCell = (s: Spread) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.max)}`;
const n = (v: number) => v.toLocaleString('en-US');

/** RSS limit per service (issue #15). */
export const RSS_LIMIT_MB = 150;

/** The soak's figures as markdown: latency per window, memory and CPU per service, what the stores hold. */
export function soakMarkdown(f: SoakFigures): string {
  const ok = f.runs.filter((r) => !r.error);
  const windows = windowsOf(ok, f.windowSize);
  const processes = Object.keys(f.final.usage);
  /** Per build means per build started (a soak stopped early started fewer than it was asked for). */
  const attempted = Math.max(1, f.runs.length);
  const lines: string[] = [];

  lines.push(
    `| builds | CI → QA DMs: p50 / p95 / max (ms) | owner's click → production announced: p50 / p95 / max (ms) | whole build: p50 / p95 (ms) | started late (max, ms) |`,
    '|---|---:|---:|---:|---:|',
    ...windows.map((w) => {
      const total = spread(w.items.map((r) => r.totalMs!));
      return `| ${w.from}–${w.to} | ${spreadCell(spread(w.items.map((r) => r.toQaMs!)))} | ${spreadCell(spread(w.items.map((r) => r.toProductionMs!)))} | ${ms(total.p50)} / ${ms(total.p95)} | ${ms(Math.max(...w.items.map((r) => r.lagMs)))} |`;
    }),
    '',
  );

  // Memory: after warm-up (the first window), the peak, at the end; growth as a slope over the later windows.
  const warm = f.windows[0] ?? f.final;
  const later = f.windows.slice(1);
  lines.push(
    `| process | RSS at the start (MB) | RSS after the first ${f.windowSize} builds (MB) | peak RSS (MB) | RSS at the end (MB) | RSS growth after warm-up (MB per ${f.windowSize} builds) | CPU seconds | CPU ms per build |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...processes.map((p) => {
      const growth = slope(later.map((s) => ({ x: s.finished / f.windowSize, y: (s.usage[p]?.rssBytes ?? 0) / MB })));
      const cpu = (f.final.usage[p]?.cpuSeconds ?? 0) - (f.started.usage[p]?.cpuSeconds ?? 0);
      const peak = Math.max(f.peakRss[p] ?? 0, f.final.usage[p]?.peakRssBytes ?? 0);
      return `| ${p} | ${mb(f.started.usage[p]?.rssBytes)} | ${mb(warm.usage[p]?.rssBytes)} | ${mb(peak)} | ${mb(f.final.usage[p]?.rssBytes)} | ${later.length >= 2 ? growth.toFixed(1) : '–'} | ${cpu.toFixed(1)} | ${((cpu * 1000) / attempted).toFixed(0)} |`;
    }),
    '',
    ...cpuTable([f.started, ...f.windows, f.final], processes),
    `RSS / V8 heap in use (MB) after ${[f.started, ...f.windows, f.final].map((s) => `${n(s.finished)} builds: ${processes.map((p) => `${mb(s.usage[p]?.rssBytes)}/${mb(s.heapUsed[p])}`).join(', ')}`).join('; ')} (${processes.join(', ')}; the last after the settle time).`,
    '',
  );

  const before = new Map(f.tablesBefore.map((t) => [t.table, t]));
  lines.push(
    '| table | rows | size | rows per build | bytes per build |',
    '|---|---:|---:|---:|---:|',
    ...f.tablesAfter.map((t) => {
      const b = before.get(t.table) ?? { rows: 0, bytes: 0 };
      return `| \`${t.table}\` | ${n(t.rows)} | ${(t.bytes / 1024).toFixed(0)} kB | ${((t.rows - b.rows) / attempted).toFixed(1)} | ${n(Math.round((t.bytes - b.bytes) / attempted))} |`;
    }),
    '',
    '| stream | messages | size | messages per build | bytes per build |',
    '|---|---:|---:|---:|---:|',
    ...f.streams.map(
      (s) =>
        `| \`${s.stream}\` | ${n(s.messages)} | ${(s.bytes / 1024).toFixed(0)} kB | ${(s.messages / attempted).toFixed(1)} | ${n(Math.round(s.bytes / attempted))} |`,
    ),
    '',
  );

  lines.push(...verdicts(f, windows, processes, later));
  return lines.join('\n');
}

/** CPU per build and share of one core per process, window by window: which process paid, which one saturated. */
function cpuTable(samples: UsageSample[], processes: string[]): string[] {
  const spans = cpuBetween(
    samples.map((s) => ({
      atMs: s.atMs,
      finished: s.finished,
      cpuSeconds: Object.fromEntries(processes.map((p) => [p, s.usage[p]?.cpuSeconds])),
    })),
  );
  const cell = (span: { msPerBuild: number; coreShare: number } | undefined) =>
    span ? `${ms(span.msPerBuild)} ms, ${(span.coreShare * 100).toFixed(0)} %` : '–';
  /** How busy every core of the machine was between two samples, whoever kept it busy. */
  const machineBusy = (before: UsageSample, after: UsageSample) => {
    const [a, b] = [before.machine, after.machine];
    if (!a || !b || b.totalSeconds <= a.totalSeconds) return '–';
    return `${(((b.busySeconds - a.busySeconds) / (b.totalSeconds - a.totalSeconds)) * 100).toFixed(0)} %`;
  };
  return [
    `| builds | ${processes.map((p) => `${p}: CPU per build, share of a core`).join(' | ')} | machine busy (all cores, anyone's work) | load average at the end |`,
    `|---|${processes.map(() => '---:|').join('')}---:|---:|`,
    ...spans.map(
      (span, i) =>
        `| ${span.to >= span.from ? `${span.from}–${span.to}` : 'settle time'} | ${processes.map((p) => cell(span.load[p])).join(' | ')} | ${machineBusy(samples[i], samples[i + 1])} | ${samples[i + 1].load1?.toFixed(1) ?? '–'} |`,
    ),
    '',
  ];
}

function verdicts(f: SoakFigures, windows: ReturnType<typeof windowsOf<BuildRun>>, processes: string[], later: UsageSample[]): string[] {
  const services = processes.filter((p) => p !== 'bench (fakes)');
  const peaks = services.map((p) => Math.max(f.peakRss[p] ?? 0, f.final.usage[p]?.peakRssBytes ?? 0) / MB);
  const failed = f.runs.filter((r) => r.error);
  const first = windows[0] && spread(windows[0].items.map((r) => r.totalMs!));
  const last = windows.at(-1) && spread(windows.at(-1)!.items.map((r) => r.totalMs!));
  const growth = services.map((p) => slope(later.map((s) => ({ x: s.finished / f.windowSize, y: (s.usage[p]?.rssBytes ?? 0) / MB }))));
  return [
    `- Builds finished: ${n(f.runs.length - failed.length)} of ${n(f.builds)} (${n(f.runs.length)} started) in ${(f.durationMs / 1000).toFixed(0)} s${failed.length ? ` (failed: ${failureSummary(failed)})` : ''}; QA DMs per build ${f.qaDmsPerBuild.min}–${f.qaDmsPerBuild.max} (1 = nothing lost or doubled).`,
    `- RSS ≤ ${RSS_LIMIT_MB} MB per service: ${peaks.every((p) => p <= RSS_LIMIT_MB) ? '**met**' : '**not met**'} (peaks ${services.map((p, i) => `${p} ${peaks[i].toFixed(0)}`).join(', ')} MB).`,
    `- Growth after warm-up: ${services.map((p, i) => `${p} ${later.length >= 2 ? growth[i].toFixed(1) : '–'}`).join(', ')} MB per ${f.windowSize} builds.`,
    first && last
      ? `- Latency, first window against last (whole build p50 / p95): ${ms(first.p50)} / ${ms(first.p95)} ms → ${ms(last.p50)} / ${ms(last.p95)} ms.`
      : '- Latency: no finished builds.',
  ];
}

/** `12 × no QA DM with buttons within 120 s (#130–#268)`, one line per reason. */
function failureSummary(failed: BuildRun[]): string {
  const byReason = new Map<string, number[]>();
  for (const r of failed) byReason.set(r.error!, [...(byReason.get(r.error!) ?? []), r.index + 1]);
  return [...byReason].map(([reason, builds]) => `${builds.length} × ${reason} (#${builds[0]}–#${builds.at(-1)})`).join('; ');
}
