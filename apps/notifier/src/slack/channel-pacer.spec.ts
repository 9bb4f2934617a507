import { describe, expect, it } from '@jest/globals';
import { ChannelPacer } from './channel-pacer';

describe('per-conversation pacing', () => {
  const record = (pacer: ChannelPacer) => {
    const started: Array<[string, number]> = [];
    const t0 = Date.now();
    const post = (conversation: string) => pacer.run(conversation, async () => void started.push([conversation, Date.now() - t0]));
    const times = (conversation: string) => started.filter(([c]) => c === conversation).map(([, t]) => t);
    return { started, post, times };
  };

  it('lets a quiet conversation post a short burst at once, then one post per interval, in order', async () => {
    const { post, times, started } = record(new ChannelPacer(60, 3));
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => post('C1').then(() => order.push(n))));

    const c1 = times('C1');
    expect(c1.slice(0, 3).every((t) => t < 30)).toBe(true); // the burst
    expect(c1[3] - c1[2]).toBeGreaterThanOrEqual(50);
    expect(c1[4] - c1[3]).toBeGreaterThanOrEqual(50);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(started).toHaveLength(5);
  });

  it('does not hold up other conversations', async () => {
    const { post, times } = record(new ChannelPacer(60, 1));
    await Promise.all([post('C1'), post('C1'), post('C2'), post('C1')]);
    expect(times('C1')[1] - times('C1')[0]).toBeGreaterThanOrEqual(55);
    expect(times('C2')[0]).toBeLessThan(50);
  });

  it('refills the allowance while a conversation is quiet', async () => {
    let now = 0;
    const pacer = new ChannelPacer(1_000, 2, () => now);
    const { post } = record(pacer);
    await post('C1');
    await post('C1'); // the burst is spent
    now += 2_000; // two intervals later: two posts allowed again, without waiting
    const before = Date.now();
    await Promise.all([post('C1'), post('C1')]);
    expect(Date.now() - before).toBeLessThan(50);
  });

  it('goes on with the next post when one fails', async () => {
    const pacer = new ChannelPacer(0);
    const failing = pacer.run('C1', async () => {
      throw new Error('channel_not_found');
    });
    await expect(failing).rejects.toThrow('channel_not_found');
    await expect(pacer.run('C1', async () => 'posted')).resolves.toBe('posted');
  });
});
