import { createHash } from 'node:crypto';
import type { EphemeralMessage, SlackMessage } from './slack-fake.types';

/** Who the bot is in the fake workspace (what auth.test answers). */
export const BOT = {
  url: 'https://deploybot-test.slack.com/',
  team: 'deploybot-test',
  teamId: 'T0DEPLOYBT',
  user: 'deploybot',
  userId: 'U0DEPLOYBT',
  botId: 'B0DEPLOYBT',
  appId: 'A0DEPLOYBT',
} as const;

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const isUserId = (id: string): boolean => USER_ID.test(id);

/** A conversation id, or the Slack error code explaining why there is none. */
export type Resolution = { ok: true; id: string } | { ok: false; error: string };

/**
 * The messages of one conversation, indexed so that a call costs what its conversation holds,
 * not what the whole workspace does: in post order (= ts order), by ts, and replies by thread.
 */
interface Conversation {
  messages: SlackMessage[];
  byTs: Map<string, SlackMessage>;
  /** Replies by their parent's ts, oldest first. */
  threads: Map<string, SlackMessage[]>;
  lastPostAt: number;
}

/**
 * The workspace state behind the fake: channels, DMs, messages and ephemerals.
 * Plain synchronous data; the HTTP layer serialises access (one request handler at a time).
 */
export class Workspace {
  private readonly channels = new Map<string, { botIsMember: boolean }>();
  private readonly dmUsers = new Map<string, string>();
  private readonly openDms = new Set<string>();
  /** Every message in post order (what `messages()` without a conversation answers). */
  private stored: SlackMessage[] = [];
  private readonly conversations = new Map<string, Conversation>();
  private shown: EphemeralMessage[] = [];
  private lastTsMicros = 0;

  /** `knownChannels` undefined: any well-formed C…/G… id is a channel the bot is in. */
  constructor(private readonly knownChannels?: readonly string[]) {
    this.reset();
  }

  reset(): void {
    this.channels.clear();
    for (const id of this.knownChannels ?? []) this.channels.set(id, { botIsMember: true });
    this.openDms.clear();
    this.stored = [];
    this.conversations.clear();
    this.shown = [];
  }

  addChannel(id: string, botIsMember = true): void {
    if (!CHANNEL_ID.test(id)) throw new Error(`"${id}" is not a Slack channel id (expected C… or G…, e.g. C0123456789)`);
    this.channels.set(id, { botIsMember });
  }

  /**
   * The D… id of a user's DM with the bot. Derived from the user id, so it is stable
   * across resets and restarts of the fake, like a real workspace.
   */
  dmOf(userId: string): string {
    const id = `D${createHash('sha1').update(userId).digest('hex').slice(0, 10).toUpperCase()}`;
    this.dmUsers.set(id, userId);
    return id;
  }

  /** Marks a user's DM open; answers whether it already was (conversations.open's `already_open`). */
  openDm(userId: string): { id: string; alreadyOpen: boolean } {
    const id = this.dmOf(userId);
    const alreadyOpen = this.openDms.has(id);
    this.openDms.add(id);
    return { id, alreadyOpen };
  }

  userOfDm(dmId: string): string | undefined {
    return this.dmUsers.get(dmId);
  }

  /** A conversation id, or a user id standing for that user's DM (for the test-control API). */
  conversationIdOf(channelOrUser: string): string {
    return isUserId(channelOrUser) ? this.dmOf(channelOrUser) : channelOrUser;
  }

  /** Where chat.postMessage/postEphemeral write: a channel id, a D… id, or a user id meaning their DM. */
  resolveForPost(channel: string): Resolution {
    if (isUserId(channel)) return { ok: true, id: this.openDm(channel).id };
    return this.resolveConversation(channel);
  }

  /** Conversation ids only (C…/G…/D…), as chat.update requires: a user id is `channel_not_found`. */
  resolveConversation(channel: string): Resolution {
    if (this.dmUsers.has(channel)) return { ok: true, id: channel };
    const known = this.channels.get(channel);
    if (known) return known.botIsMember ? { ok: true, id: channel } : { ok: false, error: 'not_in_channel' };
    if (this.knownChannels === undefined && CHANNEL_ID.test(channel)) {
      this.channels.set(channel, { botIsMember: true });
      return { ok: true, id: channel };
    }
    return { ok: false, error: 'channel_not_found' };
  }

  /** A fresh message ts: seconds.microseconds from the clock, strictly increasing. */
  nextTs(now: number): string {
    this.lastTsMicros = Math.max(now * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    const micros = this.lastTsMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, '0')}`;
  }

  /** Stores a new message (its ts from `nextTs`, so after every message already stored). */
  addMessage(message: SlackMessage): void {
    this.stored.push(message);
    let conversation = this.conversations.get(message.channel);
    if (!conversation) {
      conversation = { messages: [], byTs: new Map(), threads: new Map(), lastPostAt: message.postedAt };
      this.conversations.set(message.channel, conversation);
    }
    conversation.messages.push(message);
    conversation.byTs.set(message.ts, message);
    conversation.lastPostAt = Math.max(conversation.lastPostAt, message.postedAt);
    if (message.thread_ts !== undefined) {
      const thread = conversation.threads.get(message.thread_ts);
      if (thread) thread.push(message);
      else conversation.threads.set(message.thread_ts, [message]);
    }
  }

  /** The stored message itself (chat.update edits it in place). */
  findMessage(channel: string, ts: string): SlackMessage | undefined {
    return this.conversations.get(channel)?.byTs.get(ts);
  }

  /** Time of the last post into a conversation, for the per-conversation pacing limit. */
  lastPostAt(channel: string): number | undefined {
    return this.conversations.get(channel)?.lastPostAt;
  }

  messages(channel?: string): SlackMessage[] {
    const messages = channel === undefined ? this.stored : (this.conversations.get(channel)?.messages ?? []);
    return messages.map(copyMessage);
  }

  replies(channel: string, parentTs: string): SlackMessage[] {
    return (this.conversations.get(channel)?.threads.get(parentTs) ?? []).map(copyMessage);
  }

  addEphemeral(message: EphemeralMessage): void {
    this.shown.push(message);
  }

  ephemerals(user?: string): EphemeralMessage[] {
    return this.shown.filter((e) => user === undefined || e.user === user).map((e) => structuredClone(e));
  }
}

/** Callers get copies, so a test holding a message sees it as it was when read. */
const copyMessage = (m: SlackMessage): SlackMessage => structuredClone(m);
