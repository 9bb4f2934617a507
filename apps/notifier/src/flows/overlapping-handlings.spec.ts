import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { buildEvents, CHANNEL, facts, OWNERS, QA } from '../../test/build-fixtures';
import { InMemoryLedger } from '../../test/in-memory-ledger';
import { InMemorySlack } from '../../test/in-memory-slack';
import { RecordingLogger } from '../../test/recording-logger';
import type { ActionsBlock, OutgoingMessage } from '../messages/block-kit';
import type { MessageRef, PostRequest, SlackMessenger } from '../slack/slack-messenger.port';
import { EffectRunner } from './effect-runner';
import { NotificationFlows } from './notification.flows';

/**
 * A SlackMessenger whose posts and updates wait, once paused, until the test lets them through: a
 * replica paused (SIGSTOP) or stuck in Slack's rate limits in the middle of its effects.
 */
class HeldSlack implements SlackMessenger {
  private held?: { reached: () => void; released: Promise<void> };

  constructor(readonly inner: InMemorySlack) {}

  /** Holds every post and update from now on; `reached` once the first is made, all let through on `release()`. */
  pause(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const isReached = new Promise<void>((resolve) => (reached = resolve));
    this.held = { reached, released };
    return {
      reached: isReached,
      release: () => {
        this.held = undefined;
        release();
      },
    };
  }

  async post(request: PostRequest): Promise<MessageRef> {
    await this.wait();
    return this.inner.post(request);
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    await this.wait();
    return this.inner.update(ref, message);
  }

  postEphemeral: SlackMessenger['postEphemeral'] = (request) => this.inner.postEphemeral(request);
  findPost: SlackMessenger['findPost'] = (query) => this.inner.findPost(query);

  private async wait(): Promise<void> {
    const held = this.held;
    if (!held) return;
    held.reached();
    await held.released;
  }
}

const buttons = (message: { blocks?: OutgoingMessage['blocks'] }) =>
  (message.blocks ?? []).filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements.map((e) => e.action_id));

describe('two handlings of one build that overlap in time (docs/reliability.md F8)', () => {
  const [owner] = OWNERS;
  let slack: InMemorySlack;
  let held: HeldSlack;
  let ledger: InMemoryLedger;
  /** The replica that gets stuck. */
  let slow: NotificationFlows;
  /** The replica that handles the redelivery and the build's next events meanwhile. */
  let other: NotificationFlows;
  const e = buildEvents(facts());

  beforeAll(() => {
    RecordingLogger.install();
  });

  beforeEach(async () => {
    slack = new InMemorySlack();
    held = new HeldSlack(slack);
    ledger = new InMemoryLedger();
    slow = new NotificationFlows(ledger, new EffectRunner(ledger, held, undefined, { holder: 'slow' }));
    other = new NotificationFlows(ledger, new EffectRunner(ledger, slack, undefined, { holder: 'other' }));
    await other.follow(e.registered());
    await other.follow(e.previewRequested());
  });

  const ownerDm = () => slack.topLevel(owner)[0];
  const statusMessage = () => slack.topLevel(CHANNEL)[0];

  it('ends with the newest state when a stale edit lands after the newer one', async () => {
    await other.follow(e.previewDeployed());
    const stuck = held.pause();
    // The first delivery of PreviewDeployed reads the build, then waits in its edits…
    const first = slow.follow(e.previewDeployed());
    await stuck.reached;
    // …while the build is superseded and that is shown everywhere.
    await other.follow(e.superseded('b-newer', 'registry.example.org/shop:2', 4));
    expect(buttons(ownerDm())).toEqual([]);
    const editsBefore = slack.calls('update').length;

    stuck.release();
    await first;

    // Its stale edits reached Slack ("ready for review" with buttons), and were put right after.
    const edits = slack.calls('update').slice(editsBefore);
    expect(edits.some((c) => c.message.text.includes('ready for review'))).toBe(true);
    expect(ownerDm().text).toContain('Superseded');
    expect(buttons(ownerDm())).toEqual([]);
    for (const qa of QA) expect(buttons(slack.topLevel(qa)[0])).toEqual([]);
    expect(statusMessage().text).toMatch(/superseded/i);
  });

  it('ends with the newest state when a DM is posted from a stale snapshot after the newer edit found nothing to edit', async () => {
    const stuck = held.pause();
    // Its edit of the status message and its DM posts wait …
    const first = slow.follow(e.previewDeployed());
    await stuck.reached;
    // … while the build is superseded: its DMs are not posted yet, so there is nothing to edit.
    await other.follow(e.superseded('b-newer', 'registry.example.org/shop:2', 4));
    expect(slack.topLevel(owner)).toEqual([]);

    stuck.release();
    await first;

    expect(slack.topLevel(owner)).toHaveLength(1);
    expect(ownerDm().text).toContain('Superseded');
    expect(buttons(ownerDm())).toEqual([]);
    for (const qa of QA) expect(buttons(slack.topLevel(qa)[0])).toEqual([]);
  });

  it('edits nothing again when the build did not change while its events were shown', async () => {
    const before = slack.calls('update').length;
    await slow.follow(e.previewDeployed());
    // The status message (posted on registration) is edited once; the DMs are posted.
    expect(slack.calls('update').length - before).toBe(1);
    expect(buttons(ownerDm())).toContain(SlackActions.Close);
  });
});
