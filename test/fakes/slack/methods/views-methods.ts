import { fail, ok, stringArg, type MethodAnswer, type MethodContext } from './method-context';

/** views.open: a modal for the person whose click (or command) made the trigger id, within 3 s of it. */
export function open(args: Record<string, unknown>, ctx: MethodContext): MethodAnswer {
  const opened = ctx.views.open(stringArg(args, 'trigger_id') ?? '', args.view, ctx.now);
  return opened.ok ? ok({ view: opened.view }) : fail(opened.error, opened.messages);
}

/** views.publish: a person's Home tab (`type: home`), replacing the one they had; `hash` guards against a stale publish. */
export function publish(args: Record<string, unknown>, ctx: MethodContext): MethodAnswer {
  const published = ctx.homes.publish(stringArg(args, 'user_id') ?? '', args.view, stringArg(args, 'hash'), ctx.now);
  return published.ok ? ok({ view: published.view }) : fail(published.error, published.messages);
}
