import { BOT } from '../workspace';
import { ok, type MethodAnswer } from './method-context';

/** auth.test: who the token belongs to (shape of a real bot-token answer). */
export function test(): MethodAnswer {
  return ok({
    url: BOT.url,
    team: BOT.team,
    user: BOT.user,
    team_id: BOT.teamId,
    user_id: BOT.userId,
    bot_id: BOT.botId,
    is_enterprise_install: false,
  });
}

/** api.test: echoes its arguments; needs no token. */
export function apiTest(args: Record<string, unknown>): MethodAnswer {
  return ok(Object.keys(args).length ? { args } : {});
}
