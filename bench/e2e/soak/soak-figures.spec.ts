import { describe, expect, it } from '@jest/globals';
import { cpuSecondsOfStat, machineCpuOfStat, statusField } from './process-usage';
import { cpuBetween, percentile, slope, spread, windowsOf } from './windows';

describe('reading /proc', () => {
  it('takes resident and peak memory from /proc/<pid>/status in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(statusField(status, 'VmRSS')).toBe(100 * 1024 * 1024);
    expect(statusField(status, 'VmHWM')).toBe(200 * 1024 * 1024);
    expect(statusField('Name:\tnode\n', 'VmRSS')).toBe(0);
  });

  it('adds utime and stime of /proc/<pid>/stat, counting fields after a command name with spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0';
    expect(cpuSecondsOfStat(stat)).toBe(3);
  });

  it('reads busy and total CPU time of the whole machine from the cpu line of /proc/stat', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const stat = 'cpu  400 100 200 1000 100 50 50 100 30 0\ncpu0 200 50 100 500 50 25 25 50 15 0\n';
    expect(machineCpuOfStat(stat)).toEqual({ busySeconds: 9, totalSeconds: 20 });
    expect(machineCpuOfStat('intr 1 2 3\n')).toBeUndefined();
  });
});

describe('latency windows', () => {
  it('gives nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(spread([3, 1, 2])).toEqual({ n: 3, p50: 2, p95: 3, max: 3 });
  });

  it('splits builds into consecutive windows by their number, whatever order they finished in', () => {
    const items = [5, 0, 3, 1, 4, 2, 6].map((index) => ({ index }));
    const windows = windowsOf(items, 3);
    expect(windows.map((w) => [w.from, w.to, w.items.map((i) => i.index).sort()])).toEqual([
      [1, 3, [0, 1, 2]],
      [4, 6, [3, 4, 5]],
      [7, 7, [6]],
    ]);
  });

  it('fits the growth per window as a least-squares slope (0 when it cannot)', () => {
    expect(slope([1, 2, 3, 4].map((x) => ({ x, y: 100 + 2 * x })))).toBeCloseTo(2);
    expect(slope([1, 2, 3].map((x) => ({ x, y: 150 })))).toBe(0);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
  });

  it('splits cumulative CPU time into CPU per build and share of a core between samples', () => {
    const spans = cpuBetween([
      { atMs: 0, finished: 0, cpuSeconds: { deployer: 10, gone: 1 } },
      { atMs: 20_000, finished: 100, cpuSeconds: { deployer: 15, gone: undefined } },
      { atMs: 30_000, finished: 150, cpuSeconds: { deployer: 25 } },
    ]);
    expect(spans).toEqual([
      { from: 1, to: 100, load: { deployer: { msPerBuild: 50, coreShare: 0.25 } } },
      { from: 101, to: 150, load: { deployer: { msPerBuild: 200, coreShare: 1 } } },
    ]);
  });
});
