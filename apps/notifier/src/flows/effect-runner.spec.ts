import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PermanentError, RetryLater } from '@app/platform';
import { CHANNEL, OWNERS } from '../../test/build-fixtures';
import { InMemoryLedger } from '../../test/in-memory-ledger';
import { InMemorySlack } from '../../test/in-memory-slack';
import { RecordingLogger } from '../../test/recording-logger';
import { ObservedSlackMessenger } from '../slack/observed-slack-messenger';
import { SlackCallFailed } from '../slack/slack-call-failed';
import { SlackReachability } from '../slack/slack-reachability';
import { EffectRunner, independentGroups, PrerequisiteMissing, type EffectCause } from './effect-runner';
import { MessageKeys, type NotificationEffect } from './notification-effects';

const BUILD = 'b-1';
const [OWNER] = OWNERS;
const STATUS = MessageKeys.channelStatus;
const OWNER_DM = MessageKeys.owner(OWNER);

const show = (message: string, to: string, text: string): NotificationEffect => ({ kind: 'show', message, to, content: { text } });
const edit = (message: string, text: string): NotificationEffect => ({ kind: 'edit', message, content: { text } });
/** Keyed as the planner keys replies: by topic and parent. */
const reply = (topic: string, under: string, text: string, once?: 'build'): NotificationEffect => ({
  kind: 'reply',
  key: `${topic}:${under}`,
  under,
  content: { text },
  ...(once ? { once } : {}),
});
const status = (text: string) => show(STATUS, CHANNEL, text);
const ownerDm = (text: string) => show(OWNER_DM, OWNER, text);

describe('effect runner: every Slack effect exactly once', () => {
  let logs: RecordingLogger;
  let slack: InMemorySlack;
  let ledger: InMemoryLedger;
  let runner: EffectRunner;
  /** A new event of the build: its own id, so its own effects. */
  const event = (): EffectCause => ({ eventId: randomUUID(), buildId: BUILD });

  beforeAll(() => {
    logs = RecordingLogger.install();
  });

  beforeEach(() => {
    logs.clear();
    slack = new InMemorySlack();
    ledger = new InMemoryLedger();
    runner = new EffectRunner(ledger, slack);
  });

  describe('posting and editing', () => {
    it('posts a tracked message once, however often its event is delivered', async () => {
      const registered = event();
      await runner.run(registered, [status('deploying')]);
      await runner.run(registered, [status('deploying')]);

      expect(slack.calls('post')).toHaveLength(1);
      expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: 'deploying', effect: `build:${BUILD}/post:${STATUS}` })]);
    });

    it('edits the posted message when a later event shows it again, instead of posting another', async () => {
      await runner.run(event(), [status('deploying')]);
      await runner.run(event(), [status('deployed')]);

      expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: 'deployed', edits: 1 })]);
      expect(slack.calls('post')).toHaveLength(1);
    });

    it('edits a message once it is posted, and leaves one that is not posted yet alone', async () => {
      await runner.run(event(), [edit(OWNER_DM, 'approved')]);
      expect(slack.calls()).toEqual([]);

      await runner.run(event(), [ownerDm('please review')]);
      await runner.run(event(), [edit(OWNER_DM, 'approved')]);
      expect(slack.topLevel(OWNER)).toEqual([expect.objectContaining({ channel: slack.dmOf(OWNER), text: 'approved' })]);
    });
  });

  it('posts a tracked reply in the thread of its parent once, and edits it in place for later events', async () => {
    await runner.run(event(), [status('deploying')]);
    const production = (text: string): NotificationEffect => ({
      kind: 'show',
      message: 'production:1',
      to: CHANNEL,
      under: STATUS,
      broadcast: true,
      content: { text },
    });
    await runner.run(event(), [production('deploying to production…')]);
    await runner.run(event(), [production('deployed to production')]);

    const [statusMessage] = slack.topLevel(CHANNEL);
    expect(slack.thread(CHANNEL, statusMessage.ts)).toEqual([expect.objectContaining({ text: 'deployed to production', edits: 1 })]);
    expect(slack.calls('post')).toHaveLength(2);
  });

  it('does not post a tracked reply before its parent', async () => {
    const orphan: NotificationEffect = { kind: 'show', message: 'production:1', to: CHANNEL, under: STATUS, content: { text: 'x' } };
    await expect(runner.run(event(), [orphan])).rejects.toBeInstanceOf(PrerequisiteMissing);
    expect(slack.calls('post')).toEqual([]);
  });

  describe('a post whose answer was lost', () => {
    it('is found by its effect on redelivery and not posted again; later events edit it', async () => {
      const registered = event();
      slack.loseNextAnswer('post');
      await expect(runner.run(registered, [status('deploying')])).rejects.toMatchObject({ code: 'request_error', permanent: false });
      expect(ledger.effect(`build:${BUILD}`, `post:${STATUS}`)).toMatchObject({ state: 'pending' });

      await runner.run(registered, [status('deploying')]);
      expect(slack.calls('post')).toHaveLength(1);
      expect(slack.calls('findPost')).toEqual([
        expect.objectContaining({
          query: expect.objectContaining({ to: CHANNEL, effect: `build:${BUILD}/post:${STATUS}` }),
          found: expect.anything(),
        }),
      ]);
      expect(logs.messages('log')).toContain('found the post an earlier try made; not posting it again');

      await runner.run(event(), [status('deployed')]);
      // one edit when found (it shows what the event that found it says, here the same), one for the later event
      expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: 'deployed', edits: 2 })]);
    });

    it('is found in its thread when it was a reply', async () => {
      await runner.run(event(), [ownerDm('please review')]);
      const approved = event();
      slack.loseNextAnswer('post');
      await expect(runner.run(approved, [reply('verdict', OWNER_DM, 'approved')])).rejects.toBeInstanceOf(SlackCallFailed);

      await runner.run(approved, [reply('verdict', OWNER_DM, 'approved')]);
      const [dm] = slack.topLevel(OWNER);
      expect(slack.thread(OWNER, dm.ts)).toEqual([expect.objectContaining({ text: 'approved' })]);
      expect(slack.calls('findPost')[0].query).toMatchObject({ to: dm.channel, threadTs: dm.ts });
    });

    it('is found when Slack answered but the ledger could not record it', async () => {
      const registered = event();
      ledger.failNext('completeEffect');
      await expect(runner.run(registered, [status('deploying')])).rejects.toThrow('ledger completeEffect failed');

      await runner.run(registered, [status('deploying')]);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(ledger.effect(`build:${BUILD}`, `post:${STATUS}`)).toMatchObject({ state: 'done', attempts: 2 });
    });

    it('is posted again when Slack does not let it be looked for: a duplicate, never a lost message', async () => {
      const registered = event();
      slack.denyHistory();
      slack.loseNextAnswer('post');
      await expect(runner.run(registered, [status('deploying')])).rejects.toBeInstanceOf(SlackCallFailed);

      await runner.run(registered, [status('deploying')]);
      expect(slack.topLevel(CHANNEL)).toHaveLength(2);
      expect(logs.messages('warn')).toEqual([expect.stringContaining('posting again')]);
    });
  });

  describe('a transient failure', () => {
    it('is retried by redelivery: what was posted is not posted again, what failed is posted once', async () => {
      await runner.run(event(), [status('deploying'), ownerDm('please review')]);
      const failed = event();
      const effects = [reply('production', STATUS, 'deploying to production…'), reply('production', OWNER_DM, 'deploying to production…')];
      slack.failNext('post', 'service_unavailable', { to: OWNER });

      const first = runner.run(failed, effects);
      await expect(first).rejects.toMatchObject({ code: 'service_unavailable', permanent: false });
      await expect(first).rejects.not.toBeInstanceOf(PermanentError);
      expect(ledger.effect(failed.eventId, `production:${OWNER_DM}`)).toBeUndefined();

      await runner.run(failed, effects);
      expect(slack.thread(CHANNEL, slack.topLevel(CHANNEL)[0].ts)).toHaveLength(1);
      expect(slack.thread(OWNER, slack.topLevel(OWNER)[0].ts)).toHaveLength(1);
      // Slack certainly did nothing: the retry posts without looking for an earlier try.
      expect(slack.calls('findPost')).toEqual([]);
    });

    it('is looked for before posting again when Slack says part of it may have happened (internal_error)', async () => {
      const registered = event();
      slack.failNext('post', 'internal_error');
      await expect(runner.run(registered, [status('deploying')])).rejects.toMatchObject({ code: 'internal_error', maybeDelivered: true });
      expect(ledger.effect(`build:${BUILD}`, `post:${STATUS}`)).toMatchObject({ state: 'pending' });

      await runner.run(registered, [status('deploying')]);
      expect(slack.calls('findPost')).toHaveLength(1);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
    });

    it('is a rate limit the adapter could not wait out: retried by redelivery, posted once', async () => {
      const registered = event();
      slack.rateLimitNext('post');
      await expect(runner.run(registered, [status('deploying')])).rejects.toMatchObject({ code: 'rate_limited', permanent: false });

      await runner.run(registered, [status('deploying')]);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(slack.calls('post').map((c) => c.outcome)).toEqual(['refused', 'ok']);
    });

    it('of an edit is retried by redelivery', async () => {
      await runner.run(event(), [status('deploying')]);
      const deployed = event();
      slack.failNext('update', 'internal_error');
      await expect(runner.run(deployed, [status('deployed')])).rejects.toMatchObject({ permanent: false });

      await runner.run(deployed, [status('deployed')]);
      expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: 'deployed' })]);
    });
  });

  describe('while Slack is down', () => {
    let clock: number;
    let reachability: SlackReachability;
    /** The runner as the notifier wires it: calls reported to the circuit, every effect gated by it. */
    const gatedRunner = () => {
      clock = 0;
      reachability = new SlackReachability(
        { firstProbeMs: 5_000, maxProbeMs: 60_000 },
        () => slack.probe(),
        () => clock,
      );
      return new EffectRunner(ledger, new ObservedSlackMessenger(slack, reachability), reachability);
    };
    const callsToSlack = () => slack.calls().filter((c) => c.call !== 'findPost').length;

    it('stops once an effect finds Slack down and calls Slack no more until a probe gets an answer', async () => {
      const gated = gatedRunner();
      const deployed = event();
      // The status edit and the DM go out together; the reply under the DM would come after them.
      const effects = [status('deployed'), ownerDm('please review'), reply('ready', OWNER_DM, 'ready')];
      slack.startOutage('refused');

      await expect(gated.run(deployed, effects)).rejects.toMatchObject({ code: 'request_error', kind: 'unavailable' });
      for (let i = 0; i < 5; i++) await expect(gated.run(deployed, effects)).rejects.toMatchObject({ code: 'slack_unreachable' });
      expect(callsToSlack()).toBe(2);
      expect(slack.probeCount).toBe(0);

      clock += reachability.retryDelayMs();
      await expect(gated.run(deployed, effects)).rejects.toMatchObject({ code: 'slack_unreachable' });
      expect([callsToSlack(), slack.probeCount]).toEqual([2, 1]);

      slack.endOutage();
      clock += reachability.retryDelayMs();
      await gated.run(deployed, effects);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(slack.topLevel(OWNER)).toHaveLength(1);
      expect(slack.probeCount).toBe(2);
    });

    it('posts nothing twice when Slack carried out a post it never answered and then went down', async () => {
      const registered = event();
      slack.startOutage('stall'); // the post lands, its answer never comes
      await expect(runner.run(registered, [status('deploying')])).rejects.toMatchObject({ maybeDelivered: true });
      slack.startOutage('refused'); // the retry can neither look nor post
      await expect(runner.run(registered, [status('deploying')])).rejects.toMatchObject({ maybeDelivered: false });
      expect(ledger.effect(`build:${BUILD}`, `post:${STATUS}`)).toMatchObject({ state: 'pending' });

      slack.endOutage();
      await runner.run(registered, [status('deploying')]);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(logs.messages('log')).toContain('found the post an earlier try made; not posting it again');
    });

    it('still dead-letters what Slack refuses for good once it answers again', async () => {
      const gated = gatedRunner();
      slack.startOutage('server-error');
      await expect(gated.run(event(), [status('deploying')])).rejects.toMatchObject({ kind: 'unavailable' });
      slack.endOutage();
      slack.failNext('post', 'channel_not_found', { to: CHANNEL });
      clock += reachability.retryDelayMs();

      await expect(gated.run(event(), [status('deploying')])).rejects.toBeInstanceOf(PermanentError);
      expect(reachability.reachable).toBe(true);
    });
  });

  describe('a permanent refusal', () => {
    it('dead-letters the event with what to fix, after carrying out the other effects', async () => {
      slack.failNext('post', 'not_in_channel', { to: CHANNEL });
      const registered = event();

      const run = runner.run(registered, [status('deploying'), ownerDm('please review')]);
      await expect(run).rejects.toBeInstanceOf(PermanentError);
      await expect(run).rejects.toThrow(`invite the bot to channel ${CHANNEL}: open it in Slack and type /invite @deploybot`);
      expect(slack.topLevel(OWNER)).toHaveLength(1);
      expect(logs.messages('error')).toEqual([expect.stringContaining('Slack refused for good')]);
    });

    it('leaves the message unreachable, so later events of the build skip it and what hangs under it', async () => {
      slack.failNext('post', 'not_in_channel', { to: CHANNEL });
      await expect(runner.run(event(), [status('deploying')])).rejects.toBeInstanceOf(PermanentError);
      expect(await ledger.findMessage(BUILD, STATUS)).toEqual({ state: 'unreachable', problem: expect.stringContaining('not_in_channel') });

      await runner.run(event(), [status('deployed'), reply('production', STATUS, 'deployed to production')]);
      expect(slack.calls('post')).toHaveLength(1);
    });

    it('of the token stops the run at once: nothing else could work', async () => {
      slack.failNext('post', 'invalid_auth', { times: 2 });
      // The status message and the DM go out together; nothing is tried after them.
      const run = runner.run(event(), [status('deploying'), ownerDm('please review'), reply('ready', OWNER_DM, 'ready')]);
      await expect(run).rejects.toBeInstanceOf(PermanentError);
      await expect(run).rejects.toThrow('SLACK_BOT_TOKEN');
      expect(slack.calls('post')).toHaveLength(2);
    });
  });

  describe('thread replies', () => {
    it('wait for their parent: the event is retried until it is posted, then replied under', async () => {
      const approved = event();
      await expect(runner.run(approved, [reply('verdict', OWNER_DM, 'approved')])).rejects.toBeInstanceOf(PrerequisiteMissing);
      expect(slack.calls()).toEqual([]);

      await runner.run(event(), [ownerDm('please review')]);
      await runner.run(approved, [reply('verdict', OWNER_DM, 'approved')]);
      const [dm] = slack.topLevel(OWNER);
      expect(slack.thread(OWNER, dm.ts)).toEqual([expect.objectContaining({ text: 'approved', channel: dm.channel })]);
    });

    it('are posted once per build when asked `once: build`, whichever event asks first', async () => {
      await runner.run(event(), [ownerDm('please review')]);
      await runner.run(event(), [reply('ready', OWNER_DM, 'ready for production', 'build')]);
      await runner.run(event(), [reply('ready', OWNER_DM, 'ready for production', 'build')]);
      await runner.run(event(), [reply('verdict', OWNER_DM, 'approved')]);
      await runner.run(event(), [reply('verdict', OWNER_DM, 'approved')]);

      const thread = slack.thread(OWNER, slack.topLevel(OWNER)[0].ts).map((m) => m.text);
      expect(thread).toEqual(['ready for production', 'approved', 'approved']);
    });
  });

  describe('ephemeral answers', () => {
    const denial: NotificationEffect = {
      kind: 'ephemeral',
      key: 'denied:U0STRANGER',
      user: 'U0STRANGER',
      channel: 'C0ELSEWHERE',
      content: { text: 'not allowed' },
    };

    it('are shown where the click was made, once', async () => {
      const denied = event();
      await runner.run(denied, [denial]);
      await runner.run(denied, [denial]);
      expect(slack.ephemerals('U0STRANGER')).toEqual([{ channel: 'C0ELSEWHERE', user: 'U0STRANGER', text: 'not allowed' }]);
    });

    it('come by DM, once, when Slack cannot show them there', async () => {
      const denied = event();
      slack.failNext('postEphemeral', 'channel_not_found', { times: 2 });
      await runner.run(denied, [denial]);
      await runner.run(denied, [denial]);
      expect(slack.ephemerals()).toEqual([]);
      expect(slack.messages('U0STRANGER')).toEqual([expect.objectContaining({ text: 'not allowed' })]);
    });
  });

  describe('two tries at once, two events of one build', () => {
    it('resumes the status message an earlier event posted but could not record: a later event looks for it, posts no second one', async () => {
      ledger.failNext('completeEffect'); // the database went away right after Slack answered
      await expect(runner.run(event(), [status('deploying')])).rejects.toThrow();
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);

      await runner.run(event(), [status('deploying to production…')]);
      expect(slack.topLevel(CHANNEL)).toEqual([expect.objectContaining({ text: 'deploying to production…' })]);
      expect(slack.calls('findPost')).toHaveLength(1);
    });

    it("makes a second replica wait while the first is still posting, instead of taking the live try's intent for an abandoned one", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = Object.create(slack) as InMemorySlack;
      slow.post = async (request) => {
        await held;
        return slack.post(request);
      };
      const first = new EffectRunner(ledger, slow, undefined, { holder: 'notifier-1', ms: 5_000 });
      const second = new EffectRunner(ledger, slack, undefined, { holder: 'notifier-2', ms: 5_000 });
      const registered = event();

      const firstRun = first.run(registered, [status('deploying')]);
      await new Promise((r) => setTimeout(r, 10)); // the first try has claimed the intent and waits on Slack
      await expect(second.run(registered, [status('deploying')])).rejects.toBeInstanceOf(RetryLater);
      release();
      await firstRun;
      await second.run(registered, [status('deploying')]);

      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(slack.calls('findPost')).toEqual([]);
    });

    it('takes over an intent whose claim ran out (its holder died) and looks for the post first', async () => {
      const registered = event();
      await ledger.beginEffect(`build:${BUILD}`, `post:${STATUS}`, BUILD, { holder: 'dead-notifier', ms: 1 });
      await new Promise((r) => setTimeout(r, 10));
      await runner.run(registered, [status('deploying')]);

      expect(slack.calls('findPost')).toHaveLength(1);
      expect(slack.topLevel(CHANNEL)).toHaveLength(1);
      expect(ledger.effect(`build:${BUILD}`, `post:${STATUS}`)).toMatchObject({ state: 'done', attempts: 2 });
    });
  });

  describe('what goes to Slack together', () => {
    const QA_1 = 'U0QA00001';
    const QA_2 = 'U0QA00002';
    const qaDm = (user: string, text: string) => show(MessageKeys.qa(user), user, text);
    const summary = (groups: NotificationEffect[][]) =>
      groups.map((g) => g.map((e) => (e.kind === 'show' || e.kind === 'edit' ? `${e.kind} ${e.message}` : `${e.kind} ${e.key}`)));

    it('groups top-level posts to different conversations and edits of different messages; replies wait for what comes before', () => {
      const groups = independentGroups([
        status('deployed'),
        ownerDm('ready'),
        qaDm(QA_1, 'review'),
        qaDm(QA_2, 'review'),
        reply('ready', OWNER_DM, 'ready'),
        edit(OWNER_DM, 'ready, approved'),
        edit(MessageKeys.qa(QA_1), 'approved'),
        show(MessageKeys.expiryReminder(OWNER, 'x'), OWNER, 'expires'),
      ]);
      expect(summary(groups)).toEqual([
        [`show ${STATUS}`, `show ${OWNER_DM}`, `show qa:${QA_1}`, `show qa:${QA_2}`],
        [`reply ready:${OWNER_DM}`],
        [`edit ${OWNER_DM}`, `edit qa:${QA_1}`, `show expiry-reminder:${OWNER}:x`],
      ]);
    });

    it('keeps two posts to one conversation in order, and a post under a parent after it', () => {
      const underOwner: NotificationEffect = { kind: 'show', message: 'child', to: OWNER, under: OWNER_DM, content: { text: 'child' } };
      const groups = independentGroups([ownerDm('owner'), show(MessageKeys.qa(OWNER), OWNER, 'qa too'), underOwner, status('s')]);
      expect(summary(groups)).toEqual([[`show ${OWNER_DM}`], [`show qa:${OWNER}`], ['show child'], [`show ${STATUS}`]]);
    });

    it("posts a build's DMs to different people at once, and still reports a transient failure of one of them", async () => {
      let inFlight = 0;
      let most = 0;
      const slow = Object.create(slack) as InMemorySlack;
      slow.post = async (request) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return slack.post(request);
      };
      runner = new EffectRunner(ledger, slow);
      await runner.run(event(), [ownerDm('ready'), qaDm(QA_1, 'review'), qaDm(QA_2, 'review')]);
      expect(most).toBe(3);
      expect(slack.topLevel(QA_2)).toHaveLength(1);

      slack.rateLimitNext('post', { to: QA_1 });
      const next = { eventId: randomUUID(), buildId: 'b-2' };
      await expect(runner.run(next, [ownerDm('ready'), qaDm(QA_1, 'review'), qaDm(QA_2, 'review')])).rejects.toBeInstanceOf(
        SlackCallFailed,
      );
      // The others went through; the retry posts the one that failed, and nothing twice.
      await runner.run(next, [ownerDm('ready'), qaDm(QA_1, 'review'), qaDm(QA_2, 'review')]);
      expect(slack.topLevel(QA_1)).toHaveLength(2);
      expect(slack.topLevel(QA_2)).toHaveLength(2);
      expect(slack.topLevel(OWNER)).toHaveLength(2);
    });
  });
});
