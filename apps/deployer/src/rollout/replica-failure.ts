import type { ConditionSnapshot, DeploymentSnapshot, ReplicaSetSnapshot } from './rollout-snapshot';

/**
 * The API's refusal to create this rollout's pods, as the Deployment's `ReplicaFailure` condition
 * reports it (the ReplicaSet controller's `FailedCreate`: quota exceeded, forbidden by PodSecurity,
 * denied by an admission webhook), as a failure reason — or undefined.
 *
 * Such a refusal repeats on every try, so the rollout fails at once rather than at its deadline.
 * The condition counts only once the controller has seen the current template, and only when it
 * arose no earlier than this request: the deployment controller copies an *old* ReplicaSet's
 * failure too (say, the pods of a previous request that PodSecurity refused, still retried while
 * the fixed template rolls out), and it keeps a condition's first message while the reason stays
 * the same. Kubernetes stamps conditions to the second, so the request time is cut to its second.
 *
 * That last rule also hides a refusal of this request for the same reason as the one before (a
 * project over its quota, build after build): the Deployment's condition keeps the first one's
 * time. So when the Deployment's condition is older than the request, this request's own
 * ReplicaSet (`replicaSet`: its template carries the request id; the watcher reads it when
 * {@link replicaSetNeeded}) decides: its own ReplicaFailure is this request's refusal.
 */
export function replicaFailureOf(deployment: DeploymentSnapshot, requestedAt: number, replicaSet?: ReplicaSetSnapshot): string | undefined {
  const failure = currentReplicaFailure(deployment);
  if (!failure) return undefined;
  if (!aroseBefore(failure, requestedAt)) return reasonOf(failure);
  const own = replicaSet?.status?.conditions?.find(isReplicaFailure);
  return own ? reasonOf(own) : undefined;
}

/** Whether {@link replicaFailureOf} needs this request's ReplicaSet: the Deployment shows a refusal older than the request. */
export function replicaSetNeeded(deployment: DeploymentSnapshot | undefined, requestedAt: number): boolean {
  const failure = deployment && currentReplicaFailure(deployment);
  return failure !== undefined && aroseBefore(failure, requestedAt);
}

const isReplicaFailure = (c: ConditionSnapshot): boolean => c.type === 'ReplicaFailure' && c.status === 'True';

const reasonOf = (c: ConditionSnapshot): string => `ReplicaFailure: ${c.message ?? c.reason ?? 'the ReplicaSet cannot create pods'}`;

/** The Deployment's ReplicaFailure, once the controller has seen the current template. */
function currentReplicaFailure(deployment: DeploymentSnapshot): ConditionSnapshot | undefined {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? -1) < generation) return undefined;
  return status.conditions?.find(isReplicaFailure);
}

function aroseBefore(condition: ConditionSnapshot, requestedAt: number): boolean {
  const at = condition.lastTransitionTime;
  if (at === undefined) return false;
  const time = at instanceof Date ? at.getTime() : Date.parse(at);
  return Number.isFinite(time) && time < Math.floor(requestedAt / 1000) * 1000;
}
