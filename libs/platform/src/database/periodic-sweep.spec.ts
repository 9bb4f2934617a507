import { describe, expect, it } from '@jest/globals';
import { PeriodicSweep } from './periodic-sweep';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { log: () => undefined, error: () => undefined, warn: () => undefined };

describe('PeriodicSweep', () => {
  it('sweeps after the first delay and then on every interval, goes on after a failed sweep, and stops', async () => {
    let runs = 0;
    const warnings: unknown[] = [];
    const sweep = new PeriodicSweep(
      async () => {
        runs += 1;
        if (runs === 2) throw new Error('database away');
      },
      { firstMs: 5, everyMs: 10 },
      { ...quiet, warn: (line: unknown) => void warnings.push(line) },
    );
    sweep.start();
    await sleep(60);
    await sweep.stop();
    const stoppedAt = runs;
    await sleep(30);

    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(runs).toBe(stoppedAt);
    expect(warnings).toEqual([expect.objectContaining({ error: 'database away' })]);
  });
});
