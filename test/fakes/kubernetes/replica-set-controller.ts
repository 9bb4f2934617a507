import { CONTROLLER_MANAGER, writeStatus } from './controller-writes';
import { clone, rfc3339, type StoredObject } from './object-meta';
import type { ObjectStore } from './object-store';
import { podAdmissionRefusal } from './pod-admission';
import { Types } from './resource-types';
import { updateEntry } from './server-side-apply';

/** Plays the ReplicaSet controller: keeps spec.replicas pods per ReplicaSet and reports their readiness. */

export const isPodReady = (pod: StoredObject): boolean =>
  (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/** As `store.list(resource, namespace)` selects: every namespace when none is given. */
export const inNamespace = (object: StoredObject, namespace: string | undefined): boolean =>
  namespace === undefined || object.metadata.namespace === namespace;

/** The ReplicaSet's pods not being deleted, in list order (found by owner, not by listing the namespace). */
export const podsOf = (store: ObjectStore, rs: StoredObject): StoredObject[] =>
  store
    .dependentsOf(rs.metadata.uid)
    .filter((e) => e.resource === Types.pod && inNamespace(e.object, rs.metadata.namespace) && !e.object.metadata.deletionTimestamp)
    .map((e) => e.object);

const podFor = (rs: StoredObject): StoredObject => {
  const template = clone(rs.spec?.template ?? {});
  const spec = template.spec ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: '',
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: template.metadata?.labels ?? {},
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...spec,
      serviceAccountName: spec.serviceAccountName ?? 'default',
      serviceAccount: spec.serviceAccountName ?? 'default',
      nodeName: 'deploybot-fake-node',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
};

/** Pods to remove first when scaling down: not ready before ready, newest before oldest. */
const scaleDownOrder = (a: StoredObject, b: StoredObject): number =>
  Number(isPodReady(a)) - Number(isPodReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');

export const REPLICA_FAILURE = 'ReplicaFailure';

/** The ReplicaSet's ReplicaFailure condition, if it has one. */
export const replicaFailureOf = (
  rs: StoredObject,
): { status: string; reason: string; message: string; lastTransitionTime: string } | undefined =>
  (rs.status?.conditions ?? []).find((c: { type: string }) => c.type === REPLICA_FAILURE);

/**
 * Like the real controller: a refused create ends the round and sets ReplicaFailure (reason
 * FailedCreate, the API's message), keeping the first refusal's message and time while creates
 * keep failing; a round without an error removes it.
 */
export const syncReplicaSet = (store: ObjectStore, rs: StoredObject): void => {
  const want: number = rs.spec?.replicas ?? 1;
  const pods = podsOf(store, rs);
  let refusal: string | undefined;
  for (let i = pods.length; i < want; i += 1) {
    const pod = podFor(rs);
    refusal = podAdmissionRefusal(store, pod);
    if (refusal) break;
    pod.metadata.managedFields = [updateEntry(CONTROLLER_MANAGER, 'v1', pod)];
    store.create(Types.pod, pod);
  }
  for (const extra of [...pods].sort(scaleDownOrder).slice(0, Math.max(0, pods.length - want))) {
    store.delete(Types.pod, extra.metadata.namespace, extra.metadata.name);
  }
  const current = podsOf(store, rs);
  const ready = current.filter(isPodReady).length;
  const status: Record<string, unknown> = { replicas: current.length };
  if (current.length) status.fullyLabeledReplicas = current.length;
  if (ready) Object.assign(status, { readyReplicas: ready, availableReplicas: ready });
  status.observedGeneration = rs.metadata.generation;
  if (refusal)
    status.conditions = [
      replicaFailureOf(rs) ?? {
        type: REPLICA_FAILURE,
        status: 'True',
        lastTransitionTime: rfc3339(),
        reason: 'FailedCreate',
        message: refusal,
      },
    ];
  writeStatus(store, Types.replicaSet, rs, status, CONTROLLER_MANAGER);
};
