import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PermanentError, RetryLater } from '@app/platform';
import { buildEvents, facts } from '../../test/build-fixtures';
import { RecordingLogger } from '../../test/recording-logger';
import { classifyPlatformError, SlackCallFailed } from '../slack/slack-call-failed';
import { FlowsMetrics } from './flows.metrics';
import { PrerequisiteMissing } from './effect-runner';
import { WaitingForSlack } from './waiting-for-slack';

const HOUR = 3_600_000;
const slackDown = () => new SlackCallFailed('chat.update', 'http_503', 'unavailable', true, 'Slack answered HTTP 503');
const gauge = async (g: typeof FlowsMetrics.waitingEvents) => (await g.get()).values[0]?.value;

describe('waiting for Slack', () => {
  let now: number;
  let waiting: WaitingForSlack;
  const e = buildEvents(facts({ buildId: 'b-wait' }));
  /** An event that happened `ago` ms before the test's now. */
  const happened = <T extends { occurredAt: string }>(event: T, ago: number): T => ({
    ...event,
    occurredAt: new Date(now - ago).toISOString(),
  });
  const failWith = (error: unknown) => async () => {
    throw error;
  };

  beforeAll(() => {
    RecordingLogger.install();
  });

  beforeEach(() => {
    now = Date.parse('2026-12-01T12:00:00Z');
    waiting = new WaitingForSlack({ retryDelayMs: () => 7_000 }, 24 * HOUR, 60_000, () => now);
  });

  it('hands an event that found Slack down back to the transport for later, with the delay until the next probe', async () => {
    const deployed = happened(e.previewDeployed(), 1_000);
    const handled = waiting.handle(deployed, failWith(slackDown()));
    await expect(handled).rejects.toBeInstanceOf(RetryLater);
    await expect(handled).rejects.toMatchObject({ delayMs: 7_000, message: expect.stringContaining('http_503') });
  });

  it('counts the events that wait and the age of the oldest, and forgets one once its messages are out', async () => {
    const registered = happened(e.registered(), 10 * 60_000);
    const deployed = happened(e.previewDeployed(), 60_000);
    await waiting.handle(registered, failWith(slackDown())).catch(() => undefined);
    await waiting.handle(deployed, failWith(slackDown())).catch(() => undefined);
    await waiting.handle(registered, failWith(slackDown())).catch(() => undefined);

    expect(waiting.summary()).toEqual({ events: 2, oldestAgeSeconds: 600 });
    expect(await gauge(FlowsMetrics.waitingEvents)).toBe(2);
    expect(await gauge(FlowsMetrics.oldestWaitingSeconds)).toBe(600);

    await waiting.handle(registered, async () => undefined);
    expect(waiting.summary()).toEqual({ events: 1, oldestAgeSeconds: 60 });
  });

  it('stops counting an event that has not come back for much longer than the longest probe interval (taken by another replica)', async () => {
    await waiting.handle(happened(e.registered(), 0), failWith(slackDown())).catch(() => undefined);
    now += 3 * 60_000 + 1;
    expect(waiting.summary()).toEqual({ events: 0, oldestAgeSeconds: 0 });
  });

  it('dead-letters an event still waiting SLACK_OUTAGE_MAX_HOURS after it happened, saying so', async () => {
    const old = happened(e.previewDeployed(), 24 * HOUR + 1);
    await waiting.handle(old, failWith(slackDown())).catch(() => undefined);
    const handled = waiting.handle(old, failWith(slackDown()));
    await expect(handled).rejects.toBeInstanceOf(PermanentError);
    await expect(handled).rejects.toThrow(
      /Slack did not answer within 24 h of this PreviewDeployed \(SLACK_OUTAGE_MAX_HOURS\).*replay it \(npm run dlq -- replay/,
    );
    expect(waiting.summary().events).toBe(0);
  });

  it('does not hold a replay from the dead letters to the event age: only the transport bounds how long it waits', async () => {
    const replayed = happened(e.previewDeployed(), 30 * HOUR);
    const handled = waiting.handle(replayed, failWith(slackDown()), true);
    await expect(handled).rejects.toBeInstanceOf(RetryLater);
    expect(waiting.summary()).toEqual({ events: 1, oldestAgeSeconds: 0 });
  });

  it('passes every other failure on as it is: a refusal for good, a missing parent, a bug', async () => {
    const refusal = new PermanentError('invite the bot');
    const missing = new PrerequisiteMissing('not posted yet');
    const unknown = classifyPlatformError('chat.postMessage', 'something_new', 'C1');
    for (const error of [refusal, missing, unknown]) {
      await expect(waiting.handle(happened(e.registered(), 0), failWith(error))).rejects.toBe(error);
    }
  });
});
