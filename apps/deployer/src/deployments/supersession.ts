import type { ClusterObject } from '../kubernetes/cluster.port';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { AnnotationKeys } from '../manifests/workload-labels';

/**
 * The build that already runs under the order's name when it was requested *after* this order
 * — then applying would roll a newer build back (a late redelivery of an older request).
 * Undefined when the order may go ahead.
 */
export function newerBuildRunning(live: ClusterObject | undefined, order: DeploymentOrder): string | undefined {
  const annotations = live?.metadata?.annotations ?? {};
  const liveBuild = annotations[AnnotationKeys.buildId];
  const liveRequestedAt = Date.parse(annotations[AnnotationKeys.requestedAt] ?? '');
  if (!liveBuild || liveBuild === order.buildId || Number.isNaN(liveRequestedAt)) return undefined;
  return liveRequestedAt > Date.parse(order.requestedAt) ? liveBuild : undefined;
}
