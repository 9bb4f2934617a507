import type { HomeViewStore } from '../home-views';
import type { ViewStore } from '../views';
import type { Workspace } from '../workspace';

/** What a method handler may read and change. */
export interface MethodContext {
  ws: Workspace;
  /** Modals opened with views.open. */
  views: ViewStore;
  /** Home tabs published with views.publish. */
  homes: HomeViewStore;
  /** Receipt time of the request, ms since the epoch. */
  now: number;
  /** Minimum ms between two posts into one conversation (Slack's ~1/s special limit); undefined = no limit. */
  postIntervalMs?: number;
}

/** A JSON body as Slack answers it. */
export type SlackBody = { ok: boolean; error?: string } & Record<string, unknown>;

/** What the HTTP layer sends back: a body with 200, or a 429 with Retry-After. */
export type MethodAnswer = { status: 200; body: SlackBody } | { status: 429; retryAfterSeconds: number };

export type MethodHandler = (args: Record<string, unknown>, ctx: MethodContext) => MethodAnswer;

export const ok = (fields: Record<string, unknown> = {}): MethodAnswer => ({ status: 200, body: { ok: true, ...fields } });

/** Slack's error shape; `messages` become response_metadata.messages (e.g. Block Kit validation). */
export const fail = (error: string, messages?: string[]): MethodAnswer => ({
  status: 200,
  body: { ok: false, error, ...(messages?.length ? { response_metadata: { messages } } : {}) },
});

export const rateLimited = (retryAfterSeconds: number): MethodAnswer => ({ status: 429, retryAfterSeconds });

/** A string argument; JSON bodies may carry numbers where forms carry text. */
export function stringArg(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Slack booleans: `true`/`1` in forms, true in JSON. */
export function boolArg(args: Record<string, unknown>, name: string): boolean {
  const value = args[name];
  return value === true || value === 1 || value === 'true' || value === '1';
}
