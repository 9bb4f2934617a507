import { describe, expect, it } from '@jest/globals';
import { ChannelPacer } from './channel-pacer';

describe('per-conversation pacing', () => {
  it('keeps posts to one conversation apart, in order, without holding up other conversations', async () => {
    const pacer = new ChannelPacer(60);
    const started: Array<[string, number]> = [];
    const t0 = Date.now();
    const post = (conversation: string) => pacer.run(conversation, async () => void started.push([conversation, Date.now() - t0]));
    await Promise.all([post('C1'), post('C1'), post('C2'), post('C1')]);

    const c1 = started.filter(([c]) => c === 'C1').map(([, t]) => t);
    expect(c1[1] - c1[0]).toBeGreaterThanOrEqual(55);
    expect(c1[2] - c1[1]).toBeGreaterThanOrEqual(55);
    expect(started.find(([c]) => c === 'C2')![1]).toBeLessThan(50);
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
