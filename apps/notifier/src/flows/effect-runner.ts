import { Logger } from '@nestjs/common';
import { PermanentError } from '@app/platform';
import type { EffectLedger, LedgerMessage } from '../ledger/message-ledger.port';
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

  constructor(
    private readonly ledger: EffectLedger,
    private readonly slack: SlackMessenger,
    private readonly gate: SlackGate = OPEN_GATE,
  ) {}

  async run(cause: EffectCause, effects: NotificationEffect[]): Promise<void> {
    const refused: SlackCallFailed[] = [];
    for (const effect of effects) {
      try {
        await this.gate.admit();
        await this.runOne(cause, effect);
      } catch (error) {
        if (!(error instanceof SlackCallFailed) || !error.permanent) throw error;
        this.logger.error({ msg: `Slack refused for good: ${error.hint}`, ...cause, effect: describe(effect), slackError: error.code });
        if (error.kind === 'setup') throw new PermanentError(error.message, { cause: error });
        refused.push(error);
      }
    }
    if (refused.length) throw new PermanentError(refused.map((e) => e.message).join('; '));
  }

  private async runOne(cause: EffectCause, effect: NotificationEffect): Promise<void> {
    switch (effect.kind) {
      case 'show':
        return this.show(cause, effect.message, effect.to, effect.content);
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
        return this.postOnce(cause, scope, effect.key, request);
      }
      case 'ephemeral':
        return this.ephemeral(cause, effect.key, effect.user, effect.channel, effect.content);
      default: {
        const _exhaustive: never = effect;
        return _exhaustive;
      }
    }
  }

  /** Posts the tracked message once per build; afterwards keeps it showing `content`. */
  private async show(cause: EffectCause, key: string, to: string, content: OutgoingMessage): Promise<void> {
    const existing = await this.message(cause, key);
    if (existing?.state === 'posted') return this.slack.update({ channel: existing.conversation, ts: existing.ts }, content);
    if (existing?.state === 'unreachable') return;
    try {
      await this.postOnce(cause, cause.eventId, `post:${key}`, { to, message: content }, key);
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
   * try after it must look again.
   */
  private async postOnce(cause: EffectCause, scope: string, key: string, request: PostRequest, tracked?: string): Promise<void> {
    const start = await this.ledger.beginEffect(scope, key, cause.buildId);
    if (start.state === 'done') return;
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
        return this.ledger.completeEffect(scope, key, cause.eventId, { conversation: earlier.channel, ts: earlier.ts, message });
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
      const start = await this.ledger.beginEffect(cause.eventId, key, cause.buildId);
      if (start.state === 'done') return;
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
