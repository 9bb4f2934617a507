import { fail, ok, stringArg, type MethodAnswer, type MethodContext } from './method-context';

/** views.open: a modal for the person whose click (or command) made the trigger id, within 3 s of it. */
export function open(args: Record<string, unknown>, ctx: MethodContext): MethodAnswer {
  const opened = ctx.views.open(stringArg(args, 'trigger_id') ?? '', args.view, ctx.now);
  return opened.ok ? ok({ view: opened.view }) : fail(opened.error, opened.messages);
}
