import { describe, expect, it } from '@jest/globals';
import { logFloods } from './log-floods';

const T0 = Date.parse('2026-12-07T09:00:00.000Z');
const line = (level: number, msg: string, at: number) =>
  JSON.stringify({ level, time: new Date(at).toISOString(), service: 'approvals', msg });
const every = (n: number, ms: number, make: (at: number) => string) => Array.from({ length: n }, (_, i) => make(T0 + i * ms));

describe('log floods', () => {
  const limit = { windowMs: 10_000, limit: 500 };

  it('finds a message one process logs at warn level more often than the limit within the window', () => {
    // F7: the relay reconnecting in a tight loop while Postgres restarted.
    const lines = every(4_000, 0.25, (at) => line(40, 'event relay lost its database connection; reconnecting', at));
    const [flood, ...more] = logFloods([{ name: 'approvals-1', lines }], limit);
    expect(more).toEqual([]);
    expect(flood).toMatchObject({ category: 'flood', kind: 'log-flood' });
    expect(flood.what).toMatch(
      /^approvals-1 logged "event relay lost its database connection; reconnecting" 4000 times within 10 s from 09:00:00\.000/,
    );
  });

  it('lets a retry loop that waits between tries be, however long it runs', () => {
    const lines = every(3_000, 1_000, (at) => line(40, 'cannot renew the lease; trying again', at));
    expect(logFloods([{ name: 'deployer-1', lines }], limit)).toEqual([]);
  });

  it('counts each message and each process on its own, errors too, and ignores info, debug and what is not JSON', () => {
    const busy = [
      ...every(300, 10, (at) => line(40, 'one', at)),
      ...every(300, 10, (at) => line(40, 'two', at)),
      ...every(5_000, 1, (at) => line(30, 'request completed', at)),
      ...Array.from({ length: 600 }, () => 'Error: not a pino line'),
    ];
    const errors = every(501, 5, (at) => line(50, 'boom', at));
    expect(logFloods([{ name: 'notifier-1', lines: busy }], limit)).toEqual([]);
    expect(logFloods([{ name: 'notifier-2', lines: errors }], limit).map((f) => f.what)).toEqual([
      expect.stringMatching(/^notifier-2 logged "boom" 501 times within 10 s/),
    ]);
  });

  it('counts within a sliding window, not per calendar slice', () => {
    // 300 just before a 10-second boundary and 300 just after: 600 within 10 s.
    const lines = [...every(300, 1, (at) => line(40, 'x', at + 9_000)), ...every(300, 1, (at) => line(40, 'x', at + 10_500))];
    expect(logFloods([{ name: 'gateway-1', lines }], limit)).toHaveLength(1);
  });
});
