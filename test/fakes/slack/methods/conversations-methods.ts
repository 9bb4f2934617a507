import type { SlackMessage } from '../slack-fake.types';
import { BOT, isUserId } from '../workspace';
import { toWire } from './chat-methods';
import { boolArg, fail, ok, stringArg, type MethodAnswer, type MethodContext } from './method-context';

type Args = Record<string, unknown>;

/**
 * conversations.open: `users=U…` opens (or resumes) the 1:1 DM with the bot and answers its
 * stable D… id; `channel=D…` resumes a known DM. Multi-person DMs are not modelled.
 */
export function open(args: Args, ctx: MethodContext): MethodAnswer {
  const users = stringArg(args, 'users');
  const channel = stringArg(args, 'channel');
  if (users !== undefined) return openWithUsers(users, args, ctx);
  if (channel !== undefined) {
    const user = ctx.ws.userOfDm(channel);
    return user ? answer(channel, user, true, args, ctx) : fail('channel_not_found');
  }
  return fail('users_list_not_supplied');
}

function openWithUsers(users: string, args: Args, ctx: MethodContext): MethodAnswer {
  const ids = users
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (ids.length === 0) return fail('users_list_not_supplied');
  if (ids.some((id) => !isUserId(id))) return fail('user_not_found');
  const others = ids.filter((id) => id !== BOT.userId);
  if (others.length > 1) {
    return fail('invalid_arguments', ['[ERROR] the Slack fake opens 1:1 DMs only, not multi-person DMs [json-pointer:/users]']);
  }
  const user = others[0] ?? BOT.userId;
  if (boolArg(args, 'prevent_creation')) {
    const id = ctx.ws.dmOf(user);
    return ok({ no_op: true, channel: { id } });
  }
  const { id, alreadyOpen } = ctx.ws.openDm(user);
  return answer(id, user, alreadyOpen, args, ctx);
}

function answer(id: string, user: string, alreadyOpen: boolean, args: Args, ctx: MethodContext): MethodAnswer {
  const channel = boolArg(args, 'return_im')
    ? { id, created: Math.floor(ctx.now / 1000), is_im: true, is_org_shared: false, user, is_user_deleted: false, priority: 0 }
    : { id };
  return ok(alreadyOpen ? { no_op: true, already_open: true, channel } : { channel });
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;

/**
 * conversations.history: a conversation's messages, newest first — top-level messages and
 * replies also sent to the channel (`reply_broadcast`), not other thread replies. `oldest` and
 * `latest` bound the ts (exclusive unless `inclusive`), `limit` (default 100) and `cursor` page.
 * `metadata` is included only with `include_all_metadata`, as in Slack.
 */
export function history(args: Args, ctx: MethodContext): MethodAnswer {
  const where = ctx.ws.resolveConversation(stringArg(args, 'channel') ?? '');
  if (!where.ok) return fail(where.error);
  const inRange = range(args);
  if ('status' in inRange) return inRange;
  const messages = ctx.ws
    .messages(where.id)
    .filter((m) => (!m.thread_ts || m.reply_broadcast) && inRange.test(m.ts))
    .reverse();
  return page(messages, args, (page) => ({ messages: page, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 }));
}

/**
 * conversations.replies: the parent message (`ts`) first, then its replies oldest first,
 * bounded by `oldest`/`latest` like history (the parent is always first).
 */
export function replies(args: Args, ctx: MethodContext): MethodAnswer {
  const where = ctx.ws.resolveConversation(stringArg(args, 'channel') ?? '');
  if (!where.ok) return fail(where.error);
  const ts = stringArg(args, 'ts');
  if (!ts) return fail('invalid_arguments', ['[ERROR] missing required field: ts [json-pointer:/ts]']);
  const parent = ctx.ws.findMessage(where.id, ts);
  if (!parent) return fail('thread_not_found');
  const inRange = range(args);
  if ('status' in inRange) return inRange;
  const thread = [parent, ...ctx.ws.replies(where.id, parent.thread_ts ?? parent.ts).filter((m) => inRange.test(m.ts))];
  return page(thread, args, (page) => ({ messages: page }));
}

/** `oldest`/`latest`/`inclusive` as a test on message ts. */
function range(args: Args): { test: (ts: string) => boolean } | MethodAnswer {
  const oldest = stringArg(args, 'oldest') ?? '0';
  const latest = stringArg(args, 'latest');
  if (!/^\d+(\.\d+)?$/.test(oldest) || (latest !== undefined && !/^\d+(\.\d+)?$/.test(latest))) return fail('invalid_ts_oldest');
  const inclusive = boolArg(args, 'inclusive');
  const low = Number(oldest);
  const high = latest === undefined ? Infinity : Number(latest);
  return { test: (ts) => (inclusive ? Number(ts) >= low && Number(ts) <= high : Number(ts) > low && Number(ts) < high) };
}

/** One page of `messages` by `limit` and `cursor` (an opaque offset, as Slack's cursors are opaque). */
function page(messages: SlackMessage[], args: Args, shape: (page: Record<string, unknown>[]) => Record<string, unknown>): MethodAnswer {
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(stringArg(args, 'limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
  const cursor = stringArg(args, 'cursor');
  const offset = cursor
    ? Number(
        Buffer.from(cursor, 'base64')
          .toString('utf8')
          .replace(/^offset:/, ''),
      )
    : 0;
  if (!Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
  const slice = messages.slice(offset, offset + limit).map((m) => toWire(m, boolArg(args, 'include_all_metadata')));
  const hasMore = offset + limit < messages.length;
  const next = hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
  return ok({ ...shape(slice), has_more: hasMore, response_metadata: { next_cursor: next } });
}
