import { BOT, isUserId } from '../workspace';
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
  const ids = users.split(',').map((u) => u.trim()).filter((u) => u.length > 0);
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
