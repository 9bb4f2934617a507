import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { buildEvents, CHANNEL, facts, OWNERS, QA } from './build-fixtures';
import { buttonsOf, NotifierHarness, sleep } from './notifier-harness';

const [OWNER] = OWNERS;
const [QA1, QA2] = QA;
const PEOPLE = [OWNER, QA1, QA2];

describe('notifier: exactly one Slack message per person, whatever happens', () => {
  let h: NotifierHarness;

  beforeAll(async () => {
    h = await NotifierHarness.create();
    await h.start();
  }, 30_000);

  afterAll(async () => {
    await h?.dispose();
  }, 30_000);

  beforeEach(() => h.slack.reset());

  const posts = () => h.slack.calls('chat.postMessage').filter((c) => c.httpStatus === 200 && c.response.ok === true);

  it('posts nothing new when an event is delivered again', async () => {
    const e = buildEvents(facts({ buildId: 'b-redeliver', target: 'redeliver' }));
    const deployed = e.previewDeployed();
    const approved = e.qaApproved(QA1, [QA1], 4);
    await h.publish(e.registered(), deployed, approved);
    await h.slack.waitFor(() => h.slack.thread(OWNER, h.topLevel(OWNER)[0]?.ts ?? '').length === 1);
    const before = posts().length;

    await h.redeliver(deployed);
    await h.redeliver(approved);
    await h.redeliver(e.registered());
    await h.slack.waitFor(() => h.slack.calls('chat.update').length >= 6);
    await sleep(300);

    expect(posts()).toHaveLength(before);
    for (const person of PEOPLE) expect(h.topLevel(person)).toHaveLength(1);
    expect(h.topLevel(CHANNEL)).toHaveLength(1);
    expect(h.slack.thread(OWNER, h.topLevel(OWNER)[0].ts)).toHaveLength(1); // the verdict that made it ready, saying so
  });

  it('edits the same messages after the notifier was stopped and started again mid-flow', async () => {
    const e = buildEvents(facts({ buildId: 'b-restart', target: 'restart' }));
    await h.publish(e.registered(), e.previewDeployed());
    await h.slack.waitFor(() => PEOPLE.every((p) => h.topLevel(p).length === 1));
    const ownerDm = h.topLevel(OWNER)[0];
    const qaDm = h.topLevel(QA1)[0];

    await h.stop();
    await h.publish(e.qaApproved(QA1, [QA1], 4), e.productionRequested(OWNER, 5), e.productionDeployed(OWNER, 6));
    await h.start();

    await h.slack.waitFor(() => h.topLevel(OWNER)[0].text.includes('Deployed to production'), 10_000);
    expect(h.topLevel(OWNER)).toEqual([expect.objectContaining({ ts: ownerDm.ts, channel: ownerDm.channel })]);
    expect(h.topLevel(QA1)).toEqual([expect.objectContaining({ ts: qaDm.ts, text: expect.stringContaining('You approved') })]);
    expect(h.slack.thread(OWNER, ownerDm.ts)[0].text).toContain(`<@${QA1}> approved this build`);
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([]);
  }, 30_000);

  it('retries an event whose message is not posted yet, and renders late DMs with what happened meanwhile', async () => {
    const e = buildEvents(facts({ buildId: 'b-order', target: 'order' }));
    // The QA verdict is published before the preview: the transport holds it for its predecessor
    // (or lets it go once everything stored before it has ended, and the notifier retries it while
    // the owner DM it replies under is missing); either way it is shown after the DMs, which
    // render what happened meanwhile.
    await h.publish(e.registered(), e.previewRequested(), e.qaApproved(QA1, [QA1], 4));
    await sleep(100);
    await h.publish(e.previewDeployed());

    await h.slack.waitFor(() => h.slack.thread(OWNER, h.topLevel(OWNER)[0]?.ts ?? '').length === 1, 10_000);
    expect(h.topLevel(QA1)).toEqual([expect.objectContaining({ text: expect.stringContaining('You approved this build') })]);
    expect(buttonsOf(h.topLevel(QA1)[0])).toEqual([]);
    expect(buttonsOf(h.topLevel(QA2)[0])).toEqual([SlackActions.Approve, SlackActions.Reject]);
  }, 20_000);

  it('waits out three 429s in a row and still posts exactly one message per person', async () => {
    const e = buildEvents(facts({ buildId: 'b-429', target: 'ratelimited' }));
    await h.publish(e.registered());
    await h.slack.waitFor(() => h.topLevel(CHANNEL).length === 1);

    h.slack.rateLimitNext('chat.postMessage', 3, 1);
    await h.publish(e.previewDeployed());
    await h.slack.waitFor(() => PEOPLE.every((p) => h.topLevel(p).length === 1), 15_000);
    await sleep(300);

    expect(h.slack.calls('chat.postMessage').filter((c) => c.httpStatus === 429)).toHaveLength(3);
    for (const person of PEOPLE) expect(h.topLevel(person)).toHaveLength(1);
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([SlackActions.Promote, SlackActions.Close]);
  }, 30_000);

  it('finds a post whose answer came too late in the history instead of posting it again: channel, DM, thread reply', async () => {
    const e = buildEvents(facts({ buildId: 'b-late', target: 'late' }));
    // Each time, Slack makes the next post but answers after the notifier's 2 s timeout.
    h.slack.answerLateNext('chat.postMessage', 2_500);
    await h.publish(e.registered());
    await h.slack.waitFor(() => h.slack.calls('conversations.history').length === 1, 10_000);

    h.slack.answerLateNext('chat.postMessage', 2_500);
    await h.publish(e.previewDeployed());
    await h.slack.waitFor(() => PEOPLE.every((p) => h.topLevel(p).length === 1), 15_000);

    const ownerDm = h.topLevel(OWNER)[0];
    h.slack.answerLateNext('chat.postMessage', 2_500);
    await h.publish(e.qaApproved(QA1, [QA1], 4));
    await h.slack.waitFor(() => h.slack.calls('conversations.replies').length === 1, 15_000);
    await h.slack.waitFor(() => h.topLevel(QA1)[0]?.text.includes('You approved'), 10_000);
    await sleep(300);

    // No effect reached Slack twice: every message carries a different effect.
    const effects = h.slack.messages().map((m) => m.metadata?.event_payload.effect);
    expect(effects.every((effect) => typeof effect === 'string')).toBe(true);
    expect(new Set(effects).size).toBe(effects.length);
    expect(h.topLevel(CHANNEL)).toHaveLength(1);
    for (const person of PEOPLE) expect(h.topLevel(person)).toHaveLength(1);
    expect(h.slack.thread(OWNER, ownerDm.ts).map((m) => m.text)).toEqual([
      expect.stringMatching(/approved this build[\s\S]*ready for production/), // one reply says both
    ]);
    // The ledger took the found messages for its own: later events edit them.
    expect(h.topLevel(CHANNEL)[0].editCount).toBeGreaterThan(0);
  }, 40_000);

  it('posts again when it cannot look, or may not read history: a duplicate, never a lost message', async () => {
    // A look-up that fails (here Slack's fatal_error) does not hold the post back.
    const failing = buildEvents(facts({ buildId: 'b-lookup-fails', target: 'lookup-fails' }));
    h.slack.answerLateNext('chat.postMessage', 2_500);
    h.slack.failNext('conversations.history', 'fatal_error');
    await h.publish(failing.registered());
    await h.slack.waitFor(() => h.topLevel(CHANNEL).length === 2, 10_000);

    // Without the *:history scopes the look-up is given up for good (logged once), the post made again.
    h.slack.reset();
    const noScope = buildEvents(facts({ buildId: 'b-noscope', target: 'noscope' }));
    h.slack.answerLateNext('chat.postMessage', 2_500);
    h.slack.failNext('conversations.history', 'missing_scope');
    await h.publish(noScope.registered());
    await h.slack.waitFor(() => h.topLevel(CHANNEL).length === 2, 10_000);
    await sleep(300);
    expect(h.topLevel(CHANNEL)).toHaveLength(2);
    expect(h.slack.calls('conversations.history')).toHaveLength(1);
  }, 30_000);

  it('dead-letters an event Slack refuses for good instead of retrying it, and still asks the people', async () => {
    const channel = 'C0NOTINVITED';
    h.slack.addChannel(channel, { botIsMember: false });
    const e = buildEvents(facts({ buildId: 'b-permanent', target: 'permanent', channel }));
    await h.publish(e.registered());

    const reasons = await waitForDeadLetter(h, 'build.registered');
    expect(reasons.join()).toContain('/invite @deploybot');
    expect(h.slack.calls('chat.postMessage').filter((c) => c.args.channel === channel)).toHaveLength(1);

    // The channel stays unreachable for this build; the DMs do not depend on it.
    await h.publish(e.previewDeployed());
    await h.slack.waitFor(() => PEOPLE.every((p) => h.topLevel(p).length === 1));
    await sleep(300);
    expect(h.slack.calls('chat.postMessage').filter((c) => c.args.channel === channel)).toHaveLength(1);
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
