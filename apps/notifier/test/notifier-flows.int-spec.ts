import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { FlowsMetrics } from '../src/flows/flows.metrics';
import { buildEvents, CHANNEL, DIGEST, event, facts, OWNERS, PINNED, QA } from './build-fixtures';
import { buttonsOf, NotifierHarness, sleep } from './notifier-harness';

const [OWNER] = OWNERS;
const [QA1, QA2] = QA;

describe('notifier: Slack follows the build events', () => {
  let h: NotifierHarness;

  beforeAll(async () => {
    h = await NotifierHarness.create();
    await h.start();
  }, 30_000);

  afterAll(async () => {
    await h?.dispose();
  }, 30_000);

  beforeEach(() => h.slack.reset());

  /** Registers a build and gets its preview deployed; resolves once every DM is there. */
  async function previewUp(buildId: string) {
    const e = buildEvents(facts({ buildId, target: buildId }));
    await h.publish(e.registered(), e.previewRequested(), e.previewDeployed());
    await h.slack.waitFor(
      () => [OWNER, QA1, QA2].every((u) => h.topLevel(u).length === 1) && h.topLevel(CHANNEL)[0]?.text.includes('deployed:'),
    );
    return e;
  }

  it('keeps one status message in the channel, edited from "deploying" to "deployed", and asks owners and QA by DM', async () => {
    const e = buildEvents(facts({ buildId: 'b-happy', target: 'happy' }));
    await h.publish(e.registered());
    const status = await h.waitForText(CHANNEL, 'deploying registry.example.org/shop:1.2.3 to happy…');

    await h.publish(e.previewRequested(), e.previewDeployed());
    // The DMs go out together (no order among them): wait for every one.
    await h.slack.waitFor(() => [OWNER, QA1, QA2].every((u) => h.topLevel(u).length === 1));
    const [edited] = h.topLevel(CHANNEL);
    expect(h.topLevel(CHANNEL)).toHaveLength(1);
    expect(edited.ts).toBe(status.ts);
    expect(edited.text).toContain('deployed: <https://staging.branch.example.org>');

    const [ownerDm] = h.topLevel(OWNER);
    expect(buttonsOf(ownerDm)).toEqual([SlackActions.Promote, SlackActions.Close]);
    expect(JSON.stringify(ownerDm.blocks)).toContain(`<@${QA1}>, <@${QA2}>`);
    expect(ownerDm.channel).toBe(h.slack.dmChannelOf(OWNER));
    for (const qa of QA) expect(buttonsOf(h.topLevel(qa)[0])).toEqual([SlackActions.Approve, SlackActions.Reject]);
  });

  it('asks nobody for QA when the preview failed, and shows the reason in the channel', async () => {
    const e = buildEvents(facts({ buildId: 'b-fail', target: 'fail' }));
    await h.publish(e.registered(), e.previewRequested(), e.previewFailed('ImagePullBackOff: Back-off pulling image'));
    await h.slack.waitFor(() => h.topLevel(CHANNEL)[0]?.text.includes('failed: ImagePullBackOff'));
    await sleep(200);
    expect(h.slack.messages(OWNER)).toEqual([]);
    expect(h.slack.messages(QA1)).toEqual([]);
  });

  it('turns the QA approval that meets the rule into a verdict without buttons and one reply under every owner DM that says it is ready', async () => {
    const e = await previewUp('b-qa');
    await h.publish(e.qaApproved(QA1, [QA1], 4), e.approved([QA1], 5));

    const ownerDm = h.topLevel(OWNER)[0];
    const thread = await h.slack.waitFor(() => {
      const replies = h.slack.thread(OWNER, ownerDm.ts);
      return replies.length === 1 && h.slack.calls('chat.update').length >= 3 && replies;
    });
    await sleep(200); // room for a second reply (BuildApproved), which must not come
    expect(h.slack.thread(OWNER, ownerDm.ts)).toHaveLength(1);
    expect(thread[0].text).toContain(`<@${QA1}> approved this build`);
    expect(thread[0].text).toContain('ready for production');
    const qaDm = h.topLevel(QA1)[0];
    expect(buttonsOf(qaDm)).toEqual([]);
    expect(qaDm.text).toContain('You approved this build');
    expect(buttonsOf(h.topLevel(QA2)[0])).toEqual([SlackActions.Approve, SlackActions.Reject]);
  });

  it('shows a QA rejection in that DM and to the owners', async () => {
    const e = await previewUp('b-reject');
    await h.publish(e.qaRejected(QA2, 4));
    const ownerDm = h.topLevel(OWNER)[0];
    const [reply] = await h.slack.waitFor(() => h.slack.thread(OWNER, ownerDm.ts).length === 1 && h.slack.thread(OWNER, ownerDm.ts));
    expect(reply.text).toContain(`<@${QA2}> rejected this build`);
    await h.slack.waitFor(() => h.topLevel(QA2)[0].text.includes('You rejected'));
    expect(buttonsOf(h.topLevel(QA2)[0])).toEqual([]);
  });

  it('announces production in the channel and closes every owner DM', async () => {
    const e = await previewUp('b-ship');
    await h.publish(e.qaApproved(QA1, [QA1], 4), e.productionRequested(OWNER, 5), e.productionDeployed(OWNER, 6));

    const announcement = await h.waitForText(CHANNEL, `deployed to production by <@${OWNER}>: <https://example.org>`);
    expect(announcement).toMatchObject({ thread_ts: h.topLevel(CHANNEL)[0].ts, reply_broadcast: true });
    await h.slack.waitFor(() => h.topLevel(OWNER)[0].text.includes('Deployed to production'));
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([]);
    // one reply follows the promotion: posted as "deploying…", edited in place to the announcement
    expect(h.slack.thread(CHANNEL, h.topLevel(CHANNEL)[0].ts)).toEqual([
      expect.objectContaining({ text: expect.stringContaining('deployed to production by'), editCount: 1 }),
    ]);
  });

  it('posts a failed production deployment to the channel and keeps the owner buttons for another try', async () => {
    const e = await previewUp('b-prodfail');
    await h.publish(e.productionRequested(OWNER, 4), e.productionFailed(OWNER, 'ProgressDeadlineExceeded', 5));
    await h.waitForText(CHANNEL, 'production deployment failed (attempt 1): ProgressDeadlineExceeded');
    await h.slack.waitFor(() => JSON.stringify(h.topLevel(OWNER)[0].blocks).includes('Production deployment failed'));
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([SlackActions.Promote, SlackActions.Close]);
  });

  it.each([
    ['closed', (e: ReturnType<typeof buildEvents>) => e.closed(OWNER, 4), `Closed by <@${OWNER}>`],
    ['superseded', (e: ReturnType<typeof buildEvents>) => e.superseded('b-newer', 'shop:2', 4), 'Superseded by a newer build of'],
  ])('edits every DM and the status message of a %s build, leaving no buttons', async (name, end, says) => {
    const e = await previewUp(`b-${name}`);
    await h.publish(end(e));
    await h.slack.waitFor(() => [OWNER, QA1, QA2].every((u) => h.topLevel(u)[0].text.includes(says)));
    for (const person of [OWNER, QA1, QA2]) expect(buttonsOf(h.topLevel(person)[0])).toEqual([]);
    await h.slack.waitFor(() => h.topLevel(CHANNEL)[0].text.includes(says));
  });

  it('tells a person whose click was refused why, only to them, where they clicked', async () => {
    const e = buildEvents(facts({ buildId: 'b-denied' }));
    const dm = h.slack.dmChannelOf('U0STRANGER');
    await h.publish(e.denied('U0STRANGER', 'only the QA team of Testing One can approve builds', dm));
    const [shown] = await h.slack.waitFor(() => h.slack.ephemerals('U0STRANGER').length === 1 && h.slack.ephemerals('U0STRANGER'));
    expect(shown).toMatchObject({ channel: dm, text: expect.stringContaining('only the QA team of Testing One can approve builds') });
  });

  it('answers a refused click with no known channel by DM', async () => {
    const e = buildEvents(facts({ buildId: 'b-denied-2' }));
    await h.publish(e.denied('U0STRANGER', 'only owners of Testing One can close builds'));
    await h.waitForText('U0STRANGER', 'only owners of Testing One can close builds');
  });

  it('shows the short digest the preview runs in the QA and owner DMs, and what was shipped in the announcement', async () => {
    const e = buildEvents(facts({ buildId: 'b-pinned', target: 'pinned' }));
    await h.publish(e.registered(), e.previewRequested(), e.previewDeployed(3, { digest: DIGEST, pinnedImage: PINNED }));
    await h.slack.waitFor(() => [OWNER, QA1, QA2].every((u) => h.topLevel(u).length === 1));
    for (const person of [OWNER, QA1])
      expect(JSON.stringify(h.topLevel(person)[0].blocks)).toContain('`registry.example.org/shop:1.2.3` · `sha256:1a2b3c4d5e6f`');

    await h.publish(e.qaApproved(QA1, [QA1], 4), e.productionRequested(OWNER, 5, 1, DIGEST), e.productionDeployed(OWNER, 6, DIGEST));
    const announcement = await h.waitForText(CHANNEL, 'deployed to production by');
    expect(announcement.text).toContain(`Shipped \`${PINNED}\``);
    await h.slack.waitFor(() => JSON.stringify(h.topLevel(OWNER)[0].blocks).includes(`Shipped \`${PINNED}\``));
  });

  it('tells the owner, under their DM, that a production deployment got no answer in time, and gives the buttons back', async () => {
    const e = await previewUp('b-deadline');
    await h.publish(
      e.productionRequested(OWNER, 4),
      e.productionFailed(OWNER, 'no answer from the deployer within 6 min', 5, 1, 'deadline'),
    );
    const ownerDm = h.topLevel(OWNER)[0];
    const [told] = await h.slack.waitFor(() => h.slack.thread(OWNER, ownerDm.ts).length === 1 && h.slack.thread(OWNER, ownerDm.ts));
    expect(told.text).toBe(
      ':x: Production deployment timed out (attempt 1): no answer from the deployer within 6 min. Click *Deploy to production* above to try again.',
    );
    await h.slack.waitFor(() => h.topLevel(OWNER)[0].text.includes('Production deployment timed out'));
    expect(h.topLevel(OWNER)[0].text).toBe(
      'Testing One b-deadline: Production deployment timed out: no answer from the deployer within 6 min. Click Deploy to production to try again.',
    );
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([SlackActions.Promote, SlackActions.Close]);
    await h.waitForText(CHANNEL, 'production deployment timed out (attempt 1)');
  });

  it('edits the owner DM once the preview was removed after production', async () => {
    const e = await previewUp('b-removed');
    await h.publish(e.qaApproved(QA1, [QA1], 4), e.productionRequested(OWNER, 5), e.productionDeployed(OWNER, 6));
    await h.publish(e.teardownRequested('in-production', 7), e.previewRemoved(8, 'in-production'));
    await h.slack.waitFor(() => h.topLevel(OWNER)[0].text.includes('(preview removed)'));
    const [ownerDm] = h.topLevel(OWNER);
    expect(ownerDm.text).toBe(`Testing One b-removed: Deployed to production by <@${OWNER}>: <https://example.org> (preview removed)`);
    expect(JSON.stringify(ownerDm.blocks)).toContain(':wastebasket: Preview removed now that the build is in production');
    expect(buttonsOf(ownerDm)).toEqual([]);
  });

  it('tells the owners in their DM thread that the preview could not be removed, and offers Close again', async () => {
    const e = await previewUp('b-stuck');
    await h.publish(
      e.closed(OWNER, 4),
      e.teardownRequested('closed', 5),
      e.teardownFailed('no answer from the deployer within 6 min', 'deadline', 6),
    );
    const ownerDm = h.topLevel(OWNER)[0];
    const [told] = await h.slack.waitFor(() => h.slack.thread(OWNER, ownerDm.ts).length === 1 && h.slack.thread(OWNER, ownerDm.ts));
    expect(told.text).toBe(
      ':warning: Removing the preview timed out: no answer from the deployer within 6 min. Click *Close* above to try again.',
    );
    await h.slack.waitFor(() => buttonsOf(h.topLevel(OWNER)[0]).length === 1);
    expect(buttonsOf(h.topLevel(OWNER)[0])).toEqual([SlackActions.Close]);
  });

  it('mentions the people a refusal names, for real', async () => {
    const e = buildEvents(facts({ buildId: 'b-denied-3' }));
    const dm = h.slack.dmChannelOf(QA1);
    await h.publish(e.denied(QA1, `this build was closed by @${OWNER}`, dm, [OWNER]));
    const [shown] = await h.slack.waitFor(() => h.slack.ephemerals(QA1).length === 1 && h.slack.ephemerals(QA1));
    expect(shown).toMatchObject({ channel: dm, text: `:no_entry_sign: this build was closed by <@${OWNER}>` });
  });

  it('acknowledges a late outcome through its own handler, on purpose, and shows nothing', async () => {
    await previewUp('b-late-outcome');
    const chatCalls = () => h.slack.calls().filter((c) => c.method.startsWith('chat.')).length;
    const [calls, before] = [chatCalls(), await showedNothing('LateOutcomeRecorded')];

    await h.publish(
      event(
        'LateOutcomeRecorded',
        { buildId: 'b-late-outcome', attemptId: 'b-late-outcome:production:1', outcome: 'succeeded' },
        9,
        'b-late-outcome',
      ),
    );
    const deadline = Date.now() + 5_000;
    while ((await showedNothing('LateOutcomeRecorded')) === before && Date.now() < deadline) await sleep(50);

    expect(await showedNothing('LateOutcomeRecorded')).toBe(before + 1);
    expect(chatCalls()).toBe(calls);
    expect(await h.deadLetters('build.late-outcome-recorded')).toEqual([]);
  });
});

const showedNothing = async (type: string) =>
  (await FlowsMetrics.showedNothing.get()).values.find((v) => v.labels.type === type)?.value ?? 0;
