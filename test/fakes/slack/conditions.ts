/**
 * A standing misbehaviour of the whole Web API, in force until it is lifted (chaos runs,
 * outage tests) — unlike the one-call faults of `fault-plan.ts`, it has no count.
 *
 * - `stall`: every call is answered `delayMs` late; with `effect: 'at-once'` (default) it takes
 *   effect on arrival, so a client whose timeout is shorter gives up on a call Slack carried
 *   out; with `effect: 'after-delay'` it takes effect only once the delay is over.
 * - `ratelimit`: every call answers HTTP 429 with `Retry-After`, no effect.
 * - `server-error`: every call answers HTTP 5xx with Slack's error page body, no effect.
 * - `down`: the port stops listening: connections are refused (and open ones closed).
 */
export type SlackCondition =
  | { kind: 'stall'; delayMs: number; effect?: 'at-once' | 'after-delay' }
  | { kind: 'ratelimit'; retryAfterSeconds: number }
  | { kind: 'server-error'; status: 500 | 502 | 503 | 504 }
  | { kind: 'down' };

/** Throws a readable error for a condition a test got wrong (negative delay, fractional Retry-After…). */
export function checkCondition(condition: SlackCondition): void {
  switch (condition.kind) {
    case 'stall':
      if (!Number.isInteger(condition.delayMs) || condition.delayMs < 1)
        throw new Error(`stall delayMs must be a positive whole number of ms, got ${condition.delayMs}`);
      return;
    case 'ratelimit':
      // WebClient reads Retry-After with parseInt: whole seconds only.
      if (!Number.isInteger(condition.retryAfterSeconds) || condition.retryAfterSeconds < 0) {
        throw new Error(`retryAfterSeconds must be a whole number of seconds >= 0, got ${condition.retryAfterSeconds}`);
      }
      return;
    case 'server-error':
      if (![500, 502, 503, 504].includes(condition.status))
        throw new Error(`server-error status must be 500, 502, 503 or 504, got ${condition.status}`);
      return;
    case 'down':
      return;
    default: {
      const _exhaustive: never = condition;
      return _exhaustive;
    }
  }
}
