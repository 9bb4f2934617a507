import { describe, expect, it } from '@jest/globals';
import { KeyedExecutor, REQUEUE } from './keyed-executor';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('KeyedExecutor', () => {
  it('runs tasks of one key in order and tasks of different keys side by side', async () => {
    const executor = new KeyedExecutor(4);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
    };
    for (const [key, name, ms] of [
      ['a', 'a1', 20],
      ['a', 'a2', 1],
      ['b', 'b1', 1],
    ] as const) {
      await executor.slot();
      void executor.run(key, task(name, ms));
    }
    await executor.idle();
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('never runs more tasks at once than its limit', async () => {
    const executor = new KeyedExecutor(2);
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      await executor.slot();
      void executor.run(`k${i}`, async () => {
        peak = Math.max(peak, ++running);
        await tick();
        running--;
      });
    }
    await executor.idle();
    expect(peak).toBe(2);
    expect(executor.inFlight).toBe(0);
  });

  it('keeps going after a failed task and reports the failure to its caller', async () => {
    const executor = new KeyedExecutor(1);
    await executor.slot();
    const failed = executor.run('a', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await executor.slot();
    let ran = false;
    await executor.run('a', async () => void (ran = true));
    await executor.idle();
    expect(ran).toBe(true);
  });

  it('once released, gives a slot at once to a caller waiting behind a long task, still in key order', async () => {
    const executor = new KeyedExecutor(1, 1);
    const log: string[] = [];
    let finishLong!: () => void;
    await executor.slot();
    void executor.run('a', () => new Promise<void>((resolve) => (finishLong = () => (log.push('end long'), resolve()))));
    let gotSlot = false;
    const waiting = executor.slot().then(() => ((gotSlot = true), executor.run('a', async () => void log.push('next of a'))));
    await tick();
    expect(gotSlot).toBe(false);
    executor.release();
    await tick();
    expect(gotSlot).toBe(true);
    expect(log).toEqual([]);
    finishLong();
    await waiting;
    expect(log).toEqual(['end long', 'next of a']);
  });

  it("runs the lowest rank of a key first among the tasks waiting for it (a build's versions)", async () => {
    const executor = new KeyedExecutor(4);
    const log: number[] = [];
    let finishFirst!: () => void;
    await executor.slot();
    void executor.run('build', () => new Promise<void>((resolve) => (finishFirst = () => (log.push(1), resolve()))), 1);
    for (const version of [4, 2, 3]) {
      await executor.slot();
      void executor.run('build', async () => void log.push(version), version);
    }
    await tick();
    finishFirst();
    await executor.idle();
    expect(log).toEqual([1, 2, 3, 4]);
  });

  it('puts a task that returns REQUEUE back behind the lower-ranked task that arrived meanwhile, keeping its admission', async () => {
    const executor = new KeyedExecutor(1, 2);
    const log: string[] = [];
    let arrived!: () => void;
    const lowerArrived = new Promise<void>((resolve) => (arrived = resolve));
    let runs = 0;
    await executor.slot();
    void executor.run(
      'build',
      async () => {
        runs++;
        log.push(`v3 run ${runs}`);
        if (runs === 1) {
          await lowerArrived;
          return REQUEUE;
        }
      },
      3,
    );
    await tick();
    await executor.slot();
    void executor.run('build', async () => void log.push('v2'), 2);
    arrived();
    await executor.idle();
    expect(log).toEqual(['v3 run 1', 'v2', 'v3 run 2']);
    expect(executor.inFlight).toBe(0);
  });

  it('lets other keys execute while a task waits through pause()', async () => {
    const executor = new KeyedExecutor(1);
    const log: string[] = [];
    let release!: () => void;
    await executor.slot();
    void executor.run('held', async (pause) => {
      await pause(new Promise<void>((resolve) => (release = resolve)));
      log.push('held done');
    });
    await tick();
    await executor.slot();
    void executor.run('other', async () => void log.push('other done'));
    await tick(20);
    expect(log).toEqual(['other done']); // ran although the limit is 1 and 'held' was admitted first
    release();
    await executor.idle();
    expect(log).toEqual(['other done', 'held done']);
  });
});
