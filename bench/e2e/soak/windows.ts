/** Nearest-rank percentile (p in 0–100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** p50 / p95 / max of one group of latencies, ms. */
export interface Spread {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export const spread = (values: readonly number[]): Spread => ({
  n: values.length,
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  max: values.length ? Math.max(...values) : Number.NaN,
});

/**
 * Splits items numbered 0…n-1 into consecutive windows of `size` (the last one may be shorter):
 * builds 1–100, 101–200, … Returns each window's first and last number (1-based) and its items.
 */
export function windowsOf<T extends { index: number }>(items: readonly T[], size: number): { from: number; to: number; items: T[] }[] {
  const byWindow = new Map<number, T[]>();
  for (const item of items) {
    const w = Math.floor(item.index / size);
    byWindow.set(w, [...(byWindow.get(w) ?? []), item]);
  }
  return [...byWindow.keys()]
    .sort((a, b) => a - b)
    .map((w) => ({
      from: w * size + 1,
      to: w * size + Math.max(...byWindow.get(w)!.map((i) => i.index - w * size)) + 1,
      items: byWindow.get(w)!,
    }));
}

/**
 * Least-squares slope of y over x (e.g. MB of RSS per 100 builds after warm-up); 0 with fewer
 * than two points or no spread in x.
 */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return 0;
  return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

/** Two samples of cumulative CPU time per process, and how many builds had finished by each. */
export interface CpuSample {
  atMs: number;
  finished: number;
  cpuSeconds: Record<string, number | undefined>;
}

/** One process between two samples: CPU ms per build finished (NaN when none did), and the share of one core it kept busy. */
export interface CpuSpan {
  msPerBuild: number;
  coreShare: number;
}

/**
 * CPU per process between consecutive samples: which process paid for each stretch of builds,
 * and which one ran out of core (a share near 1 is a single-threaded process saturated).
 */
export function cpuBetween(samples: readonly CpuSample[]): { from: number; to: number; load: Record<string, CpuSpan> }[] {
  return samples.slice(1).map((sample, i) => {
    const previous = samples[i];
    const builds = sample.finished - previous.finished;
    const seconds = Math.max(1e-9, (sample.atMs - previous.atMs) / 1000);
    const load: Record<string, CpuSpan> = {};
    for (const [name, cpu] of Object.entries(sample.cpuSeconds)) {
      const before = previous.cpuSeconds[name];
      if (cpu === undefined || before === undefined) continue;
      load[name] = { msPerBuild: builds > 0 ? ((cpu - before) * 1000) / builds : Number.NaN, coreShare: (cpu - before) / seconds };
    }
    return { from: previous.finished + 1, to: sample.finished, load };
  });
}
