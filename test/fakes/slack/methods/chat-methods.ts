import type { SlackMessage } from '../slack-fake.types';
import { BOT, isUserId } from '../workspace';
import { checkBlocks } from './block-kit-check';
import { boolArg, fail, ok, rateLimited, stringArg, type MethodAnswer, type MethodContext } from './method-context';

/** Slack truncates beyond this; the fake refuses instead so a test notices. */
const MAX_TEXT = 40_000;

type Args = Record<string, unknown>;
type Content = { text?: string; blocks?: unknown[]; hasAttachments: boolean };

/** chat.postMessage: channel id, D… id, or user id (posts into that user's DM; the answer names the D… id). */
export function postMessage(args: Args, ctx: MethodContext): MethodAnswer {
  const where = ctx.ws.resolveForPost(stringArg(args, 'channel') ?? '');
  if (!where.ok) return fail(where.error);
  const paced = pacing(where.id, ctx);
  if (paced) return paced;
  const content = readContent(args);
  if ('status' in content) return content;
  if (!content.text && !content.blocks?.length && !content.hasAttachments) return fail('no_text');

  const threadArg = stringArg(args, 'thread_ts');
  const parent = threadArg ? ctx.ws.findMessage(where.id, threadArg) : undefined;
  if (threadArg && !parent) return fail('thread_not_found');
  const metadata = readMetadata(args.metadata);
  if (metadata === 'invalid') return fail('invalid_metadata_format');
  const message: SlackMessage = {
    channel: where.id,
    ts: ctx.ws.nextTs(ctx.now),
    // A reply to a reply lands in the parent's thread, as in Slack.
    ...(parent ? { thread_ts: parent.thread_ts ?? parent.ts } : {}),
    ...(parent && boolArg(args, 'reply_broadcast') ? { reply_broadcast: true } : {}),
    text: content.text ?? '',
    ...(content.blocks?.length ? { blocks: content.blocks } : {}),
    user: BOT.userId,
    bot_id: BOT.botId,
    editCount: 0,
    history: [],
    postedAt: ctx.now,
    ...(metadata ? { metadata } : {}),
  };
  ctx.ws.addMessage(message);
  return ok({ channel: message.channel, ts: message.ts, message: toWire(message) });
}

/** chat.update: conversation id + ts only; a user id is `channel_not_found`, as in Slack. */
export function update(args: Args, ctx: MethodContext): MethodAnswer {
  const where = ctx.ws.resolveConversation(stringArg(args, 'channel') ?? '');
  if (!where.ok) return fail(where.error);
  const message = ctx.ws.findMessage(where.id, stringArg(args, 'ts') ?? '');
  if (!message) return fail('message_not_found');
  const content = readContent(args);
  if ('status' in content) return content;
  if (content.text === undefined && content.blocks === undefined && !content.hasAttachments) return fail('no_text');

  message.history.push({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), at: ctx.now });
  // Slack keeps what an update leaves out; `blocks: []` removes the blocks.
  if (content.text !== undefined) message.text = content.text;
  if (content.blocks !== undefined) {
    if (content.blocks.length) message.blocks = content.blocks;
    else delete message.blocks;
  }
  message.editCount += 1;
  const wire = { ...toWire(message), edited: { user: BOT.userId, ts: ctx.ws.nextTs(ctx.now) } };
  return ok({ channel: message.channel, ts: message.ts, text: message.text, message: wire });
}

/** chat.postEphemeral: shown to `user` in `channel`; answers `message_ts` and stores nothing in history. */
export function postEphemeral(args: Args, ctx: MethodContext): MethodAnswer {
  const where = ctx.ws.resolveForPost(stringArg(args, 'channel') ?? '');
  if (!where.ok) return fail(where.error);
  const user = stringArg(args, 'user') ?? '';
  if (!isUserId(user)) return fail('user_not_found');
  const dmUser = ctx.ws.userOfDm(where.id);
  if (dmUser !== undefined && dmUser !== user) return fail('user_not_in_channel');
  const content = readContent(args);
  if ('status' in content) return content;
  if (!content.text && !content.blocks?.length && !content.hasAttachments) return fail('no_text');

  const threadTs = stringArg(args, 'thread_ts');
  const messageTs = ctx.ws.nextTs(ctx.now);
  ctx.ws.addEphemeral({
    channel: where.id,
    user,
    text: content.text ?? '',
    ...(content.blocks?.length ? { blocks: content.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    message_ts: messageTs,
    at: ctx.now,
  });
  return ok({ message_ts: messageTs });
}

/** Slack's per-conversation posting limit, when the fake was started with `postIntervalMs`. */
function pacing(channel: string, ctx: MethodContext): MethodAnswer | undefined {
  if (ctx.postIntervalMs === undefined) return undefined;
  const last = ctx.ws.lastPostAt(channel);
  if (last === undefined) return undefined;
  const wait = ctx.postIntervalMs - (ctx.now - last);
  return wait > 0 ? rateLimited(Math.max(1, Math.ceil(wait / 1000))) : undefined;
}

function readContent(args: Args): Content | MethodAnswer {
  const text = stringArg(args, 'text') ?? stringArg(args, 'markdown_text');
  if (text !== undefined && text.length > MAX_TEXT) return fail('msg_too_long');
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (args.blocks === undefined) return { text, hasAttachments };
  const checked = checkBlocks(args.blocks);
  if (!checked.ok) return fail('invalid_blocks', checked.messages);
  return { text, blocks: checked.blocks, hasAttachments };
}

/** `metadata={"event_type": "…", "event_payload": {…}}` as Slack accepts it; absent is fine. */
function readMetadata(value: unknown): SlackMessage['metadata'] | 'invalid' | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return 'invalid';
  const { event_type: type, event_payload: payload } = value as Record<string, unknown>;
  if (typeof type !== 'string' || !type || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'invalid';
  return { event_type: type, event_payload: payload as Record<string, unknown> };
}

/** The message object as Slack returns it (chat.postMessage, chat.update, conversations.history). */
export function toWire(m: SlackMessage, withMetadata = false): Record<string, unknown> {
  return {
    user: m.user,
    type: 'message',
    ts: m.ts,
    bot_id: m.bot_id,
    app_id: BOT.appId,
    text: m.text,
    team: BOT.teamId,
    bot_profile: { id: BOT.botId, app_id: BOT.appId, name: BOT.user, deleted: false, team_id: BOT.teamId },
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: BOT.userId } : {}),
    ...(m.reply_broadcast ? { subtype: 'thread_broadcast' } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}
