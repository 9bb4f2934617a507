import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { SlackCondition } from '../../../test/fakes/slack/conditions';
import { buildEvents, CHANNEL, facts, OWNERS, QA } from './build-fixtures';
import { buttonsOf, NotifierHarness, sleep } from './notifier-harness';

const [OWNER] = OWNERS;
const [QA1, QA2] = QA;
const PEOPLE = [OWNER, QA1, QA2];

/**
 * Slack's outages, compressed about 100×: probes every 50 ms doubling to 600 ms stand for
 * 5 s → 60 s, so 6 s of outage stand for 10 minutes. A call gives up after 300 ms (a stall
 * outlasts it) and is retried once by WebClient.
 */
const COMPRESSED = {
  timeoutMs: 300,
  retry: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10, randomize: false },
  outage: { firstProbeMs: 50, maxProbeMs: 600 },
};
const TEN_MINUTES = 6_000;
/** Slack's return is noticed within one longest probe interval; the messages then go out paced. */
const RESUMES_WITHIN = 600 + 2_000;

describe('notifier: a Slack outage loses nothing and doubles nothing', () => {
  let h: NotifierHarness;

  beforeAll(async () => {
    h = await NotifierHarness.create({ slack: COMPRESSED });
    await h.start();
  }, 30_000);

  afterAll(async () => {
    await h?.slack.setCondition(undefined);
    await h?.dispose();
  }, 30_000);

  beforeEach(async () => {
    await h.slack.setCondition(undefined);
    h.slack.reset();
  });

  const readiness = async () => {
    const answer = await fetch(`${h.baseUrl}/readyz`);
    return { status: answer.status, body: (await answer.json()) as { checks: Record<string, string> } };
  };
  /** Every effect reached Slack at most once: each message carries a different one. */
  const effectsAreUnique = () => {
    const effects = h.slack.messages().map((m) => m.metadata?.event_payload.effect);
    expect(new Set(effects).size).toBe(effects.length);
  };

  it('Slack answers 503 to everything for "10 minutes" while a preview deploys: afterwards every DM and the channel status appear once, in order', async () => {
    const e = buildEvents(facts({ buildId: 'b-outage-503', target: 'outage-503' }));
    await h.publish(e.registered());
    await h.slack.waitFor(() => h.topLevel(CHANNEL).length === 1);

    await h.slack.setCondition({ kind: 'server-error', status: 503 });
    await h.publish(e.previewDeployed(), e.qaApproved(QA1, [QA1], 4));
    await sleep(TEN_MINUTES / 2);

    // Mid-outage: reported, waiting, nothing given up, Slack not hammered.
    expect(await h.metric('deploybot_notifier_slack_reachable')).toBe(0);
    expect(await h.metric('deploybot_notifier_slack_waiting_events')).toBeGreaterThanOrEqual(1);
    expect(await h.metric('deploybot_notifier_slack_oldest_waiting_seconds')).toBeGreaterThan(2);
    expect(await readiness()).toEqual({ status: 200, body: expect.objectContaining({ checks: expect.objectContaining({ slack: 'up' }) }) });
    await sleep(TEN_MINUTES / 2);
    const duringOutage = h.slack.calls();
    expect(duringOutage.filter((c) => c.method === 'auth.test').length).toBeLessThanOrEqual(16);
    // One round of the first event's effects, which go out together — the status edit (which the
    // client tries twice) and the DMs — and nothing after it until a probe gets an answer.
    expect(duringOutage.filter((c) => c.method !== 'auth.test').length).toBeLessThanOrEqual(6);
    expect(await h.deadLetters('build.preview-deployed')).toEqual([]);
    expect(await h.deadLetters('build.qa-approved')).toEqual([]);

    await h.slack.setCondition(undefined);
    const back = Date.now();
    await h.slack.waitFor(() => {
      const ownerDm = h.topLevel(OWNER)[0];
      return ownerDm && h.slack.thread(OWNER, ownerDm.ts).length === 1 && h.topLevel(QA1)[0]?.text.includes('You approved');
    }, 10_000);
    expect(Date.now() - back).toBeLessThan(RESUMES_WITHIN);
    await sleep(300);

    expect(h.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: expect.stringContaining(e.previewDeployed().data.url) })]);
    for (const person of PEOPLE) expect(h.topLevel(person)).toHaveLength(1);
    expect(buttonsOf(h.topLevel(QA2)[0])).toEqual([SlackActions.Approve, SlackActions.Reject]);
    const ownerDm = h.topLevel(OWNER)[0];
    expect(h.slack.thread(OWNER, ownerDm.ts).map((m) => m.text)).toEqual([
      expect.stringMatching(/approved this build[\s\S]*ready for production/), // one reply says both
    ]);
    effectsAreUnique();
    expect(await h.metric('deploybot_notifier_slack_reachable')).toBe(1);
    expect(await h.metric('deploybot_notifier_slack_waiting_events')).toBe(0);
  }, 40_000);

  it.each<[string, SlackCondition]>([
    ['connections are refused', { kind: 'down' }],
    ['every call is rate limited', { kind: 'ratelimit', retryAfterSeconds: 0 }],
    ['Slack stalls, carrying calls out but answering too late', { kind: 'stall', delayMs: 1_000, effect: 'at-once' }],
  ])(
    'waits while %s, then shows every message once',
    async (_, condition) => {
      const e = buildEvents(facts({ buildId: `b-outage-${condition.kind}`, target: `outage-${condition.kind}` }));
      await h.slack.setCondition(condition);
      await h.publish(e.registered(), e.previewDeployed());
      await sleep(2_000);
      expect(await h.metric('deploybot_notifier_slack_reachable')).toBe(0);

      await h.slack.setCondition(undefined);
      await h.slack.waitFor(
        () =>
          [CHANNEL, ...PEOPLE].every((p) => h.topLevel(p).length >= 1) &&
          h.topLevel(CHANNEL)[0].text.includes(e.previewDeployed().data.url),
        10_000,
      );
      await sleep(500);

      for (const where of [CHANNEL, ...PEOPLE]) expect(h.topLevel(where)).toHaveLength(1);
      effectsAreUnique();
      // A post Slack carried out without answering is found in the history afterwards, not made again.
      if (condition.kind === 'stall') expect(h.slack.calls('conversations.history').length).toBeGreaterThanOrEqual(1);
      expect(await h.deadLetters('build.registered')).toEqual([]);
      expect(await h.deadLetters('build.preview-deployed')).toEqual([]);
    },
    30_000,
  );

  it('still dead-letters at once, with the fix, what Slack refuses for good once it answers again; waiting did not count as deliveries', async () => {
    const channel = 'C0NOTINVITED';
    h.slack.addChannel(channel, { botIsMember: false });
    const e = buildEvents(facts({ buildId: 'b-outage-permanent', target: 'outage-permanent', channel }));
    await h.slack.setCondition({ kind: 'server-error', status: 502 });
    await h.publish(e.registered());
    await sleep(1_500);
    expect(await h.deadLetters('build.registered')).toEqual([]);

    await h.slack.setCondition(undefined);
    const reasons = await waitForDeadLetter(h, 'build.registered');
    expect(reasons).toEqual([expect.stringMatching(/invite the bot to channel C0NOTINVITED.*\/invite @deploybot.*\(delivery 1 of 5\)/)]);
    expect(await h.metric('deploybot_notifier_slack_reachable')).toBe(1);
  }, 30_000);
});

async function waitForDeadLetter(h: NotifierHarness, subject: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const reasons = await h.deadLetters(subject);
    if (reasons.length) return reasons;
    await sleep(100);
  }
  throw new Error(`nothing was dead-lettered on ${subject} within 10 s`);
}
