import type { OutgoingMessage } from '../messages/block-kit';

/** Where a posted message lives: the conversation id Slack answered (C…, G… or D…) and its ts. */
export interface MessageRef {
  channel: string;
  ts: string;
}

export interface PostRequest {
  /** A channel id, or a user id for that person's DM with the bot (Slack answers the D… id). */
  to: string;
  message: OutgoingMessage;
  /** Reply in the thread of this message (its ts, in the conversation `to`). */
  threadTs?: string;
  /** Also show a thread reply in the channel. */
  broadcast?: boolean;
  /**
   * Which ledger effect this post carries out; attached as Slack message metadata, so the post
   * can be found again (`findPost`) and a person can trace any message to its cause.
   */
  effect?: string;
}

/** A post that may have been made without its answer reaching us. */
export interface PostQuery {
  /** As in the PostRequest: a conversation id, or a user id for their DM. */
  to: string;
  threadTs?: string;
  /** The effect the post carried as metadata. */
  effect: string;
  /** When the first try began: older messages are not looked at. */
  since: Date;
}

export interface EphemeralRequest {
  /** The conversation the person is looking at (C…, G…, or their D… DM). */
  channel: string;
  user: string;
  message: OutgoingMessage;
}

/**
 * The Slack calls the notifier makes. Implementations throw `SlackCallFailed`, which says
 * whether retrying can help and whether the message may have been posted anyway.
 */
export interface SlackMessenger {
  post(request: PostRequest): Promise<MessageRef>;
  /** Idempotent: the same update twice leaves the same message. */
  update(ref: MessageRef, message: OutgoingMessage): Promise<void>;
  postEphemeral(request: EphemeralRequest): Promise<void>;
  /**
   * The message an earlier try of a post left in Slack, found by its effect metadata in the
   * conversation's history (or the thread). undefined when there is none, and when it cannot
   * be looked for (no `*:history` scope — logged once —, or any failed call): never throws
   * for Slack's sake, so a post is at worst made twice, never lost.
   */
  findPost(query: PostQuery): Promise<MessageRef | undefined>;
}

/** DI token of the SlackMessenger. */
export const SLACK_MESSENGER = Symbol('SLACK_MESSENGER');
