import { randomBytes } from 'node:crypto';
import { checkBlocks } from './methods/block-kit-check';
import type { PublishedHome } from './slack-fake.types';
import { BOT, isUserId } from './workspace';

/** Slack's limit on the blocks of a Home tab (and of a modal). */
export const HOME_MAX_BLOCKS = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Home tabs of the fake workspace (`views.publish`): each person's current Home, and every
 * publish in order. A `hash` that is not the current view's is refused (`hash_conflict`), as Slack
 * does, so a stale publish cannot overwrite a newer one.
 */
export class HomeViewStore {
  private published: PublishedHome[] = [];
  private readonly current = new Map<string, Obj>();
  private next = 1;

  /** views.publish: the view as Slack answers it, or Slack's error code. */
  publish(
    userId: string,
    view: unknown,
    hash: string | undefined,
    now: number,
  ): { ok: true; view: Obj } | { ok: false; error: string; messages?: string[] } {
    if (!userId) return { ok: false, error: 'invalid_arguments', messages: ['[ERROR] missing required field: user_id'] };
    if (!isUserId(userId)) return { ok: false, error: 'user_not_found' };
    const problems = checkHome(view);
    if (problems.length) return { ok: false, error: 'invalid_arguments', messages: problems };
    const before = this.current.get(userId);
    if (hash !== undefined && before && before.hash !== hash) return { ok: false, error: 'hash_conflict' };
    const id = (before?.id as string | undefined) ?? `V${String(this.next++).padStart(10, '0')}H`;
    const answered: Obj = {
      id,
      team_id: BOT.teamId,
      ...(view as Obj),
      type: 'home',
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash: `${Math.floor(now / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: id,
      app_id: BOT.appId,
      bot_id: BOT.botId,
    };
    this.current.set(userId, answered);
    this.published.push({ user: userId, view: answered, publishedAt: now });
    return { ok: true, view: answered };
  }

  /** Every publish, oldest first; or those of one person. */
  homes(user?: string): PublishedHome[] {
    return this.published.filter((h) => user === undefined || h.user === user).map((h) => structuredClone(h));
  }

  reset(): void {
    this.published = [];
    this.current.clear();
  }
}

/** What Slack checks of a Home view that a bot like ours can get wrong. */
function checkHome(view: unknown): string[] {
  if (!isObj(view)) return ['[ERROR] view must be a JSON object [json-pointer:/view]'];
  const errors: string[] = [];
  if (view.type !== 'home') errors.push('[ERROR] must be "home" [json-pointer:/view/type]');
  const blocks = Array.isArray(view.blocks) ? view.blocks : undefined;
  if (!blocks) return [...errors, '[ERROR] missing required field: blocks [json-pointer:/view/blocks]'];
  if (blocks.length > HOME_MAX_BLOCKS) errors.push(`[ERROR] no more than ${HOME_MAX_BLOCKS} items allowed [json-pointer:/view/blocks]`);
  const checked = checkBlocks(blocks);
  // A message's 50-block limit is not a Home's: the 100 above is.
  const messages = checked.ok ? [] : checked.messages.filter((m) => !m.includes('no more than 50 items'));
  errors.push(...messages.map((m) => m.replace('json-pointer:/blocks', 'json-pointer:/view/blocks')));
  return errors;
}
