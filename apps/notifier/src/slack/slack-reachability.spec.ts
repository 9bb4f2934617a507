import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLogger } from '../../test/recording-logger';
import { classifyPlatformError, SlackCallFailed } from './slack-call-failed';
import { SlackReachability } from './slack-reachability';
import { SlackMetrics } from './slack.metrics';

const refused = () => new SlackCallFailed('chat.postMessage', 'request_error', 'unavailable', false, 'connect ECONNREFUSED');
const reachableGauge = async () => (await SlackMetrics.reachable.get()).values[0]?.value;

/** A clock the test moves, and a probe whose answer the test sets. */
class Scene {
  now = 1_000_000;
  slackDown = true;
  probes = 0;
  readonly reachability = new SlackReachability(
    { firstProbeMs: 5_000, maxProbeMs: 60_000 },
    () => this.probe(),
    () => this.now,
  );

  async probe(): Promise<void> {
    this.probes += 1;
    if (this.slackDown) throw new SlackCallFailed('auth.test', 'http_503', 'unavailable', true, 'Slack answered HTTP 503');
  }

  /** Moves the clock on to the next probe and lets a caller in: true when admitted. */
  async nextProbe(): Promise<boolean> {
    this.now += this.reachability.retryDelayMs();
    return this.reachability.admit().then(
      () => true,
      () => false,
    );
  }
}

describe('Slack reachability: one circuit for the whole process', () => {
  let logs: RecordingLogger;
  let scene: Scene;

  beforeAll(() => {
    logs = RecordingLogger.install();
  });

  beforeEach(() => {
    logs.clear();
    scene = new Scene();
  });

  it('lets every call through while Slack answers, without probing', async () => {
    await scene.reachability.admit();
    scene.reachability.answered();
    scene.reachability.failed(classifyPlatformError('chat.postMessage', 'not_in_channel', 'C1'));
    await scene.reachability.admit();
    expect(scene.reachability.reachable).toBe(true);
    expect(scene.probes).toBe(0);
  });

  it('turns unreachable at the first call that finds Slack down, and then lets no call through until a probe is due', async () => {
    scene.reachability.failed(refused());

    expect(scene.reachability.reachable).toBe(false);
    expect(await reachableGauge()).toBe(0);
    await expect(scene.reachability.admit()).rejects.toMatchObject({
      code: 'slack_unreachable',
      kind: 'unavailable',
      maybeDelivered: false,
    });
    scene.now += 4_999;
    await expect(scene.reachability.admit()).rejects.toBeInstanceOf(SlackCallFailed);
    expect(scene.probes).toBe(0);
    expect(logs.messages('warn')).toEqual([expect.stringContaining('Slack is unreachable (request_error from chat.postMessage)')]);
  });

  it('probes 5 s after, then doubling up to every 60 s, while Slack stays down', async () => {
    scene.reachability.failed(refused());
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      waits.push(scene.reachability.retryDelayMs());
      expect(await scene.nextProbe()).toBe(false);
    }
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000]);
    expect(scene.probes).toBe(8);
  });

  it('makes one probe for all the callers that come back when it is due', async () => {
    scene.reachability.failed(refused());
    scene.now += 5_000;
    scene.slackDown = false;

    const callers = await Promise.allSettled([1, 2, 3, 4, 5].map(() => scene.reachability.admit()));

    expect(callers.every((c) => c.status === 'fulfilled')).toBe(true);
    expect(scene.probes).toBe(1);
    expect(scene.reachability.reachable).toBe(true);
    expect(await reachableGauge()).toBe(1);
    expect(logs.messages('log')).toEqual([expect.stringContaining('Slack answers again after 5 s')]);
  });

  it('counts any answer to the probe as Slack being back, even an error Slack chose to give', async () => {
    scene.reachability.failed(refused());
    scene.now += 5_000;
    scene.probe = async () => {
      throw classifyPlatformError('auth.test', 'invalid_auth', 'the bot token');
    };
    await scene.reachability.admit();
    expect(scene.reachability.reachable).toBe(true);
  });

  it('is reachable again as soon as any call gets an answer', async () => {
    scene.reachability.failed(refused());
    scene.reachability.answered();
    await scene.reachability.admit();
    expect(scene.probes).toBe(0);
  });

  it('sends waiting events back when the next probe is due, never later than the longest interval', async () => {
    expect(scene.reachability.retryDelayMs()).toBe(1_000);
    scene.reachability.failed(refused());
    expect(scene.reachability.retryDelayMs()).toBe(5_000);
    scene.now += 4_500;
    expect(scene.reachability.retryDelayMs()).toBe(1_000);
    for (let i = 0; i < 6; i++) await scene.nextProbe();
    expect(scene.reachability.retryDelayMs()).toBe(60_000);
  });

  it('continues the backoff when Slack fails again right after answering a probe (flapping), and starts over after a quiet minute', async () => {
    scene.reachability.failed(refused());
    await scene.nextProbe();
    await scene.nextProbe(); // next wait: 20 s
    scene.slackDown = false;
    expect(await scene.nextProbe()).toBe(true);

    scene.now += 1_000;
    scene.reachability.failed(refused());
    expect(scene.reachability.retryDelayMs()).toBe(40_000);

    scene.reachability.answered();
    scene.now += 61_000;
    scene.reachability.failed(refused());
    expect(scene.reachability.retryDelayMs()).toBe(5_000);
  });
});
