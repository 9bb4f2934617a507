import type { StoredObject } from './object-meta';
import type { ObjectStore } from './object-store';
import { enforcedLevel, podSecurityViolations } from './pod-security';
import { Types } from './resource-types';

/**
 * The admission plugins that refuse pods, in the apiserver's order: PodSecurity (the level the
 * namespace's `pod-security.kubernetes.io/enforce` label names) and ResourceQuota (`spec.hard.pods`
 * of the namespace's ResourceQuotas; other resources are not counted). Returns the Forbidden
 * message the apiserver gives, or undefined when the pod may be created.
 */
export function podAdmissionRefusal(store: ObjectStore, pod: StoredObject): string | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  // A pod the ReplicaSet controller makes has only its generateName when admission sees it.
  const forbidden = `pods "${pod.metadata.name || pod.metadata.generateName || ''}" is forbidden`;
  const level = enforcedLevel(store.get(Types.namespace, undefined, namespace)?.metadata.labels);
  const violations = podSecurityViolations(pod.spec ?? { containers: [] }, level);
  if (violations.length) return `${forbidden}: violates PodSecurity "${level}:latest": ${violations.join(', ')}`;
  for (const quota of store.list(Types.resourceQuota, namespace)) {
    const hard = quota.spec?.hard?.pods;
    if (hard === undefined) continue;
    const used = countedPods(store, namespace);
    if (used + 1 > Number(hard))
      return `${forbidden}: exceeded quota: ${quota.metadata.name}, requested: pods=1, used: pods=${used}, limited: pods=${hard}`;
  }
  return undefined;
}

/** Pods a quota counts: every pod not yet finished (Succeeded or Failed) and not being deleted. */
const countedPods = (store: ObjectStore, namespace: string): number =>
  store
    .list(Types.pod, namespace)
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
