import { ApiError, internalError, serviceUnavailable } from './status-errors';

/**
 * A standing misbehaviour of the API server, in force until it is lifted (chaos runs, outage
 * tests) — unlike `failNext`, it has no count.
 *
 * - `stall`: every request is held `delayMs` before it is handled (an overloaded apiserver or a
 *   slow network); it is handled afterwards even if the client gave up.
 * - `server-error`: every request is answered with a real Status 500 (etcd timeout) or 503.
 * - `refused`: the port stops listening: connections are refused and open ones (watches) cut.
 */
export type KubernetesCondition = { kind: 'stall'; delayMs: number } | { kind: 'server-error'; status: 500 | 503 } | { kind: 'refused' };

/** Throws a readable error for a condition a test got wrong. */
export function checkCondition(condition: KubernetesCondition): void {
  if (condition.kind === 'stall' && (!Number.isInteger(condition.delayMs) || condition.delayMs < 1)) {
    throw new Error(`stall delayMs must be a positive whole number of ms, got ${condition.delayMs}`);
  }
  if (condition.kind === 'server-error' && condition.status !== 500 && condition.status !== 503) {
    throw new Error(`server-error status must be 500 or 503, got ${condition.status}`);
  }
}

/** The Status error a `server-error` condition answers with. */
export const conditionError = (status: 500 | 503): ApiError =>
  status === 503 ? serviceUnavailable() : internalError('etcdserver: request timed out');
