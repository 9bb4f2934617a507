import { STATUS_CODES } from 'node:http';
import { RefusalBody } from '../http/refusal';

/** How the gateway answers HTTP from approvals' QueryReply. */
export type QueryAnswer<T> = { status: 200; body: T } | { status: number; body: RefusalBody };

/**
 * Maps a QueryReply (libs/contracts queries.ts) to an HTTP answer: data → 200; a refusal →
 * its status (4xx/5xx) and message; anything that is not a QueryReply → 502, because the
 * caller did nothing wrong.
 */
export function answerOf<T>(reply: unknown): QueryAnswer<T> {
  if (typeof reply === 'object' && reply !== null) {
    const r = reply as { ok?: unknown; data?: unknown; status?: unknown; message?: unknown };
    if (r.ok === true && 'data' in r) return { status: 200, body: r.data as T };
    if (r.ok === false && Number.isInteger(r.status) && (r.status as number) >= 400 && (r.status as number) <= 599) {
      const status = r.status as number;
      const message = typeof r.message === 'string' ? r.message : undefined;
      return { status, body: { error: (STATUS_CODES[status] ?? 'error').toLowerCase(), ...(message ? { message } : {}) } };
    }
  }
  return { status: 502, body: { error: 'bad gateway', message: 'approvals answered something that is not a query reply' } };
}
