import type { DeploymentOrder } from '../manifests/deployment-order';
import { AnnotationKeys } from '../manifests/workload-labels';
import type { DeploymentSnapshot } from '../rollout/rollout-snapshot';

/** A deployment request as far as ordering goes: which is newer decides what a workload runs. */
export interface RequestStamp {
  requestId: string;
  /** ISO time the request was made (the requesting event's occurredAt). */
  requestedAt: string;
  buildId?: string;
}

/**
 * Orders two requests: negative when `a` was requested before `b`. Requests, not builds:
 * production attempt 2 of a build is newer than attempt 1. Equal times fall back to the
 * request ids, so every deployer replica orders any two requests the same way.
 */
export function compareRequests(a: RequestStamp, b: RequestStamp): number {
  const byTime = Date.parse(a.requestedAt) - Date.parse(b.requestedAt);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0;
}

export const stampOf = (order: DeploymentOrder): RequestStamp => ({
  requestId: order.requestId,
  requestedAt: order.requestedAt,
  buildId: order.buildId,
});

/** The request whose template a live Deployment runs, when deploybot applied it. */
export function liveRequest(live: DeploymentSnapshot | undefined): RequestStamp | undefined {
  const requestedAt = live?.metadata?.annotations?.[AnnotationKeys.requestedAt];
  const template = live?.spec?.template?.metadata?.annotations ?? {};
  if (!requestedAt || Number.isNaN(Date.parse(requestedAt))) return undefined;
  return {
    requestId: template[AnnotationKeys.requestId] ?? '',
    requestedAt,
    buildId: template[AnnotationKeys.buildId] ?? live?.metadata?.annotations?.[AnnotationKeys.buildId],
  };
}

export type ApplyDecision = { apply: true } | { apply: false; running: RequestStamp };

/**
 * Whether `order` may apply over the live Deployment: not when the live one was applied for a
 * request made later (a late redelivery, or the loser of two requests at once, must never roll
 * a newer one back). The same request applies again: that is a redelivery resuming its rollout.
 */
export function decideApply(live: DeploymentSnapshot | undefined, order: DeploymentOrder): ApplyDecision {
  const running = liveRequest(live);
  if (!running || running.requestId === order.requestId) return { apply: true };
  return compareRequests(running, stampOf(order)) > 0 ? { apply: false, running } : { apply: true };
}

/** What approvals and Slack read when an attempt lost to a newer one. */
export const supersededReason = (where: { namespace: string; name: string }, newer: RequestStamp, how: 'runs' | 'deploys next'): string =>
  how === 'runs'
    ? `superseded: ${where.namespace}/${where.name} now runs build ${newer.buildId ?? '(unknown)'}, requested later`
    : `superseded: build ${newer.buildId ?? '(unknown)'} was requested later for ${where.namespace}/${where.name} and deploys next`;
