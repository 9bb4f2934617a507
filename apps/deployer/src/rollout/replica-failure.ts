import type { ConditionSnapshot, DeploymentSnapshot } from './rollout-snapshot';

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
 */
export function replicaFailureOf(deployment: DeploymentSnapshot, requestedAt: number): string | undefined {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? -1) < generation) return undefined;
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (!failure || aroseBefore(failure, requestedAt)) return undefined;
  return `ReplicaFailure: ${failure.message ?? failure.reason ?? 'the ReplicaSet cannot create pods'}`;
}

function aroseBefore(condition: ConditionSnapshot, requestedAt: number): boolean {
  const at = condition.lastTransitionTime;
  if (at === undefined) return false;
  const time = at instanceof Date ? at.getTime() : Date.parse(at);
  return Number.isFinite(time) && time < Math.floor(requestedAt / 1000) * 1000;
}
