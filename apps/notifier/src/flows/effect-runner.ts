import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { PermanentError, RetryLater } from '@app/platform';
import type { EffectClaim, EffectLedger, LedgerMessage } from '../ledger/message-ledger.port';
import type { OutgoingMessage } from '../messages/block-kit';
import { SlackCallFailed } from '../slack/slack-call-failed';
import { OPEN_GATE, type SlackGate } from '../slack/slack-reachability';
import type { PostRequest, SlackMessenger } from '../slack/slack-messenger.port';
import type { NotificationEffect } from './notification-effects';

/** The event an effect belongs to: its id keys the ledger, the build id ties messages together. */
export interface EffectCause {
  eventId: string;
  buildId?: string;
}

/** An effect cannot run yet because an earlier one (a parent message) is missing; the transport retries. */
export class PrerequisiteMissing extends Error {
  override name = 'PrerequisiteMissing';
}

/** How long a try holds a post's intent without renewing it (renewed every third of it while it runs). */
export const DEFAULT_CLAIM_MS = 30_000;

/**
 * Carries out planned effects against Slack, exactly once per (event, effect) as far as the
 * ledger can tell: the intent is recorded before a post and the result right after it; edits
 * are idempotent by nature.
 *
 * Errors: a transient or `unavailable` one stops the run and is thrown, so the event comes back
 * (done effects are skipped then; BuildEventsController decides when). A permanent one is logged
 * with what to fix, the other effects still run, and the run ends in a PermanentError
 * (dead-letter, no retry loop). A broken token stops at once: nothing else could work.
 * While Slack is known to be down the gate stops the run before an effect calls it.
 */
export class EffectRunner {
  private readonly logger = new Logger('EffectRunner');

  private readonly claim: EffectClaim;

  constructor(
    private readonly ledger: EffectLedger,
    private readonly slack: SlackMessenger,
    private readonly gate: SlackGate = OPEN_GATE,
    claim: Partial<EffectClaim> = {},
  ) {
    this.claim = { holder: claim.holder ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`, ms: claim.ms ?? DEFAULT_CLAIM_MS };
  }

  /**
   * Carries out `effects` in order, except that effects which cannot depend on one another —
   * consecutive top-level posts or edits, each in a conversation of its own (the channel's status
   * message, each person's DM) — go to Slack together: a build's DMs to three people take one
   * round trip, not three. A reply always waits for what comes before it (its parent).
   */
  async run(cause: EffectCause, effects: NotificationEffect[]): Promise<void> {
    const refused: SlackCallFailed[] = [];
    for (const group of independentGroups(effects)) {
      const outcomes = await Promise.allSettled(
        group.map(async (effect) => {
          await this.gate.admit();
          await this.runOne(cause, effect);
        }),
      );
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        const error: unknown = outcome.reason;
        if (!(error instanceof SlackCallFailed) || !error.permanent) throw error;
        this.logger.error({ msg: `Slack refused for good: ${error.hint}`, ...cause, effect: describe(group[i]), slackError: error.code });
        if (error.kind === 'setup') throw new PermanentError(error.message, { cause: error });
        refused.push(error);
      }
    }
    if (refused.length) throw new PermanentError(refused.map((e) => e.message).join('; '));
  }

  private async runOne(cause: EffectCause, effect: NotificationEffect): Promise<void> {
    switch (effect.kind) {
      case 'show':
        return this.show(cause, effect);
      case 'edit': {
        const existing = await this.message(cause, effect.message);
        if (existing?.state === 'posted') await this.slack.update({ channel: existing.conversation, ts: existing.ts }, effect.content);
        return;
      }
      case 'reply': {
        const parent = await this.message(cause, effect.under);
        if (!parent)
          throw new PrerequisiteMissing(`message ${effect.under} of build ${cause.buildId} is not posted yet; cannot reply under it`);
        if (parent.state === 'unreachable') return;
        const scope = effect.once === 'build' ? `build:${cause.buildId}` : cause.eventId;
        const request = { to: parent.conversation, threadTs: parent.ts, broadcast: effect.broadcast, message: effect.content };
        await this.postOnce(cause, scope, effect.key, request);
        return;
      }
      case 'ephemeral':
        return this.ephemeral(cause, effect.key, effect.user, effect.channel, effect.content);
      default: {
        const _exhaustive: never = effect;
        return _exhaustive;
      }
    }
  }

  /**
   * Posts the tracked message once per build — whichever of the build's events gets there first,
   * under one intent per build, so an event that finds another's intent pending resumes it
   * (looks for the post) rather than posting a second one — and afterwards keeps it showing `content`.
   */
  private async show(cause: EffectCause, effect: Extract<NotificationEffect, { kind: 'show' }>): Promise<void> {
    const { message: key, content } = effect;
    const existing = await this.message(cause, key);
    if (existing?.state === 'posted') return this.slack.update({ channel: existing.conversation, ts: existing.ts }, content);
    if (existing?.state === 'unreachable') return;
    let request: PostRequest = { to: effect.to, message: content };
    if (effect.under) {
      const parent = await this.message(cause, effect.under);
      if (!parent)
        throw new PrerequisiteMissing(`message ${effect.under} of build ${cause.buildId} is not posted yet; cannot reply under it`);
      if (parent.state === 'unreachable') return;
      request = { to: parent.conversation, threadTs: parent.ts, broadcast: effect.broadcast, message: content };
    }
    const scope = cause.buildId ? `build:${cause.buildId}` : cause.eventId;
    try {
      const outcome = await this.postOnce(cause, scope, `post:${key}`, request, key);
      if (outcome === 'posted') return;
      // Posted by an earlier try (of this event or an earlier one of the build): show this event's content.
      const posted = await this.message(cause, key);
      if (posted?.state === 'posted') await this.slack.update({ channel: posted.conversation, ts: posted.ts }, content);
    } catch (error) {
      if (error instanceof SlackCallFailed && error.kind === 'target' && cause.buildId) {
        await this.ledger.markUnreachable(cause.buildId, key, cause.eventId, `${error.code}: ${error.hint}`);
      }
      throw error;
    }
  }

  /**
   * intent → post → result. On a redelivery a `done` effect is skipped; a `pending` one means
   * an earlier try may have reached Slack without the ledger hearing back (crash, timeout):
   * the conversation is searched for that post by its effect metadata first, and only if it
   * is not there (or history cannot be read) posted again — a rare duplicate rather than a
   * lost message (docs/slack.md). Such a `pending` intent stays pending until the post is known
   * to be made: a retry that cannot reach Slack (an outage) neither looked nor posted, so the
   * try after it must look again. A pending intent a live try holds (its claim, renewed while it
   * runs) is not taken over: this try waits (RetryLater) — two deliveries of one event at once
   * (an ack lost while NATS was away, a paused replica) post once.
   *
   * `posted` when this try posted; `earlier` when an earlier try had (done, or found in Slack).
   */
  private async postOnce(
    cause: EffectCause,
    scope: string,
    key: string,
    request: PostRequest,
    tracked?: string,
  ): Promise<'posted' | 'earlier'> {
    const start = await this.ledger.beginEffect(scope, key, cause.buildId, this.claim);
    if (start.state === 'done') return 'earlier';
    if (start.state === 'held') {
      const waitMs = Math.min(Math.max(start.until.getTime() - Date.now(), 1_000), this.claim.ms);
      throw new RetryLater(`another try (${start.by}) is posting ${scope}/${key} right now; waiting for it`, { delayMs: waitMs });
    }
    const renewing = setInterval(
      () => void this.ledger.renewClaim(scope, key, this.claim).catch(() => undefined),
      Math.max(this.claim.ms / 3, 10),
    );
    renewing.unref();
    try {
      return await this.postClaimed(cause, scope, key, request, start, tracked);
    } finally {
      clearInterval(renewing);
    }
  }

  private async postClaimed(
    cause: EffectCause,
    scope: string,
    key: string,
    request: PostRequest,
    start: { state: 'new' } | { state: 'resumed'; attempts: number; since: Date },
    tracked?: string,
  ): Promise<'posted' | 'earlier'> {
    const effect = `${scope}/${key}`;
    const message = tracked && cause.buildId ? { buildId: cause.buildId, key: tracked } : undefined;
    if (start.state === 'resumed') {
      const earlier = await this.slack.findPost({ to: request.to, threadTs: request.threadTs, effect, since: start.since });
      if (earlier) {
        this.logger.log({
          msg: 'found the post an earlier try made; not posting it again',
          ...cause,
          scope,
          key,
          attempts: start.attempts,
        });
        await this.ledger.completeEffect(scope, key, cause.eventId, { conversation: earlier.channel, ts: earlier.ts, message });
        return 'earlier';
      }
      this.logger.warn({
        msg: 'an earlier try of this post may have reached Slack and it is not in the history; posting again',
        ...cause,
        scope,
        key,
        attempts: start.attempts,
      });
    }
    let ref: Awaited<ReturnType<SlackMessenger['post']>>;
    try {
      ref = await this.slack.post({ ...request, effect });
    } catch (error) {
      if (error instanceof SlackCallFailed && !error.maybeDelivered && start.state === 'new') await this.ledger.abandonEffect(scope, key);
      throw error;
    }
    await this.ledger.completeEffect(scope, key, cause.eventId, { conversation: ref.channel, ts: ref.ts, message });
    return 'posted';
  }

  /** In the conversation of the click when Slack allows it there, else as a DM. */
  private async ephemeral(
    cause: EffectCause,
    key: string,
    user: string,
    channel: string | undefined,
    content: OutgoingMessage,
  ): Promise<void> {
    if (channel) {
      const start = await this.ledger.beginEffect(cause.eventId, key, cause.buildId, this.claim);
      if (start.state === 'done') return;
      if (start.state === 'held') throw new RetryLater(`another try (${start.by}) is answering ${user} right now; waiting for it`);
      try {
        await this.slack.postEphemeral({ channel, user, message: content });
        await this.ledger.completeEffect(cause.eventId, key, cause.eventId, { conversation: channel });
        return;
      } catch (error) {
        if (!(error instanceof SlackCallFailed && error.kind === 'target')) throw error;
        await this.ledger.abandonEffect(cause.eventId, key);
        this.logger.warn({ msg: `cannot answer ${user} in ${channel} (${error.code}); answering by DM`, ...cause });
      }
    }
    await this.postOnce(cause, cause.eventId, `${key}:dm`, { to: user, message: content });
  }

  private async message(cause: EffectCause, key: string): Promise<LedgerMessage | undefined> {
    return cause.buildId ? this.ledger.findMessage(cause.buildId, key) : undefined;
  }
}

/**
 * Splits `effects` into groups that may run at once, keeping their order: a group is a run of
 * top-level `show`s to distinct conversations and `edit`s of distinct messages (an edit never
 * creates a message, so its order against a post does not show). Anything else — a reply, a
 * `show` under a parent, an ephemeral answer, a second post to the same conversation (whose order
 * people would see) — is a group of its own.
 */
export function independentGroups(effects: NotificationEffect[]): NotificationEffect[][] {
  const groups: NotificationEffect[][] = [];
  let current: NotificationEffect[] = [];
  const taken = new Set<string>();
  const flush = () => {
    if (current.length) groups.push(current);
    current = [];
    taken.clear();
  };
  for (const effect of effects) {
    const slot =
      effect.kind === 'show' && !effect.under ? `to:${effect.to}` : effect.kind === 'edit' ? `message:${effect.message}` : undefined;
    if (slot === undefined) {
      flush();
      groups.push([effect]);
      continue;
    }
    if (taken.has(slot)) flush();
    current.push(effect);
    taken.add(slot);
  }
  flush();
  return groups;
}

const describe = (effect: NotificationEffect): string => {
  switch (effect.kind) {
    case 'show':
    case 'edit':
      return `${effect.kind} ${effect.message}`;
    case 'reply':
      return `reply ${effect.key}`;
    case 'ephemeral':
      return `ephemeral ${effect.key}`;
    default: {
      const _exhaustive: never = effect;
      return _exhaustive;
    }
  }
};
