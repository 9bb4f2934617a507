import { createHash } from 'node:crypto';
import { CONTROLLER_MANAGER, writeSpec, writeStatus } from './controller-writes';
import { maxSurge, maxUnavailable, replicaStatus, setCondition, type Condition } from './deployment-status';
import { clone, controllerOf, rfc3339, SAFE_ALPHABET, stableStringify, type StoredObject } from './object-meta';
import type { ObjectStore, StoreEvent } from './object-store';
import { inNamespace, isPodReady, podsOf, REPLICA_FAILURE, replicaFailureOf, syncReplicaSet } from './replica-set-controller';
import { Types } from './resource-types';
import { updateEntry } from './server-side-apply';
import type { Timers } from './timers';

const REVISION = 'deployment.kubernetes.io/revision';

/** What the controller remembers about the rollout of one Deployment's current template. */
interface Rollout {
  uid: string;
  hash: string;
  newReady: number;
  lastProgressAt: string;
  reason: 'NewReplicaSetCreated' | 'ReplicaSetUpdated';
  deadlineExceeded: boolean;
}

/** pod-template-hash: stable for a template, spelled with the alphabet the real controller uses. */
export const templateHash = (template: unknown): string =>
  [...createHash('sha256').update(stableStringify(template)).digest()]
    .slice(0, 10)
    .map((b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length])
    .join('');

const revisionOf = (o: StoredObject): number => Number(o.metadata.annotations?.[REVISION] ?? 0);

/**
 * Plays the deployment controller. A new template gets a ReplicaSet `<name>-<hash>` scaled to
 * spec.replicas (surging, like maxSurge 100%); old ReplicaSets go to 0 once the new pods are ready
 * (at once for Recreate). Status and the Available/Progressing conditions follow the real
 * controller, including ProgressDeadlineExceeded after spec.progressDeadlineSeconds × timeScale
 * without progress. Work is queued per object on setImmediate, so bursts of events collapse.
 */
export class RolloutSimulator {
  private readonly rollouts = new Map<string, Rollout>();
  private readonly queued = new Map<string, NodeJS.Immediate>();

  constructor(
    private readonly store: ObjectStore,
    private readonly timers: Timers,
    private readonly timeScale: number,
  ) {}

  onEvent(event: StoreEvent): void {
    const { metadata } = event.object;
    if (this.mayAdmitMore(event)) this.retryRefused(event.resource === Types.namespace ? metadata.name : metadata.namespace);
    if (event.resource === Types.deployment) {
      if (event.type === 'DELETED') this.forget(`${metadata.namespace}/${metadata.name}`);
      else this.enqueue('deployment', metadata.namespace, metadata.name);
    } else if (event.resource === Types.replicaSet) {
      if (event.type !== 'DELETED') this.enqueue('replicaset', metadata.namespace, metadata.name);
      this.enqueueOwner(event.object);
    } else if (event.resource === Types.pod) {
      const owner = controllerOf(event.object);
      if (owner?.kind !== 'ReplicaSet') return;
      this.enqueue('replicaset', metadata.namespace, owner.name);
      const rs = this.store.get(Types.replicaSet, metadata.namespace, owner.name);
      if (rs) this.enqueueOwner(rs);
    }
  }

  /** A change that may let a refused pod in: the namespace's labels, a quota, a pod gone. */
  private mayAdmitMore(event: StoreEvent): boolean {
    return (
      event.resource === Types.namespace ||
      event.resource === Types.resourceQuota ||
      (event.resource === Types.pod && event.type === 'DELETED')
    );
  }

  /** Tries again, as the real controller's requeue does, every ReplicaSet of `namespace` whose pods were refused. */
  private retryRefused(namespace: string | undefined): void {
    for (const rs of this.store.list(Types.replicaSet, namespace, (o) => replicaFailureOf(o) !== undefined))
      this.enqueue('replicaset', rs.metadata.namespace, rs.metadata.name);
  }

  stop(): void {
    for (const immediate of this.queued.values()) clearImmediate(immediate);
    this.queued.clear();
  }

  private enqueueOwner(rs: StoredObject): void {
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment') this.enqueue('deployment', rs.metadata.namespace, owner.name);
  }

  private enqueue(kind: 'deployment' | 'replicaset', namespace: string | undefined, name: string): void {
    const key = `${kind}:${namespace}/${name}`;
    if (this.queued.has(key)) return;
    const immediate = setImmediate(() => {
      this.queued.delete(key);
      if (kind === 'deployment') this.reconcile(namespace ?? '', name);
      else {
        const rs = this.store.get(Types.replicaSet, namespace, name);
        if (rs) syncReplicaSet(this.store, rs);
      }
    });
    immediate.unref();
    this.queued.set(key, immediate);
  }

  private forget(key: string): void {
    this.rollouts.delete(key);
    this.timers.clearGroup(`deadline:${key}`);
  }

  private armDeadline(key: string, deployment: StoredObject, rollout: Rollout): void {
    const seconds: number = deployment.spec?.progressDeadlineSeconds ?? 600;
    this.timers.clearGroup(`deadline:${key}`);
    this.timers.after(`deadline:${key}`, seconds * 1000 * this.timeScale, () => {
      rollout.deadlineExceeded = true;
      this.enqueue('deployment', deployment.metadata.namespace, deployment.metadata.name);
    });
  }

  private rolloutFor(key: string, deployment: StoredObject, hash: string): Rollout {
    const known = this.rollouts.get(key);
    if (known && known.uid === deployment.metadata.uid && known.hash === hash) return known;
    const rollout: Rollout = {
      uid: deployment.metadata.uid ?? '',
      hash,
      newReady: 0,
      lastProgressAt: rfc3339(),
      reason: 'NewReplicaSetCreated',
      deadlineExceeded: false,
    };
    this.rollouts.set(key, rollout);
    this.armDeadline(key, deployment, rollout);
    return rollout;
  }

  private createReplicaSet(d: StoredObject, hash: string, revision: number, replicas: number): StoredObject {
    const template = clone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } };
    const rs: StoredObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge(d.spec)),
          [REVISION]: String(revision),
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: d.metadata.name,
            uid: d.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, 'pod-template-hash': hash } },
        template,
      },
      status: { replicas: 0 },
    };
    rs.metadata.managedFields = [updateEntry(CONTROLLER_MANAGER, 'apps/v1', rs)];
    return this.store.create(Types.replicaSet, rs);
  }

  private reconcile(namespace: string, name: string): void {
    const d = this.store.get(Types.deployment, namespace, name);
    if (!d?.spec?.template) return;
    const key = `${namespace}/${name}`;
    const replicas: number = d.spec.replicas ?? 1;
    const hash = templateHash(d.spec.template);
    const rollout = this.rolloutFor(key, d, hash);
    const owned = () =>
      this.store
        .dependentsOf(d.metadata.uid)
        .filter((e) => e.resource === Types.replicaSet && inNamespace(e.object, namespace))
        .map((e) => e.object);
    let newRs = owned().find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (!newRs) newRs = this.createReplicaSet(d, hash, Math.max(0, ...owned().map(revisionOf)) + 1, replicas);
    else if (newRs.spec?.replicas !== replicas)
      newRs = writeSpec(this.store, Types.replicaSet, newRs, { ...newRs.spec, replicas }, CONTROLLER_MANAGER) ?? newRs;

    const newPods = podsOf(this.store, newRs);
    const newReady = newPods.filter(isPodReady).length;
    if (newReady >= replicas || d.spec.strategy?.type === 'Recreate') {
      for (const old of owned().filter((rs) => rs.metadata.uid !== newRs.metadata.uid && rs.spec?.replicas !== 0)) {
        writeSpec(this.store, Types.replicaSet, old, { ...old.spec, replicas: 0 }, CONTROLLER_MANAGER);
      }
    }
    if (newReady > rollout.newReady) {
      Object.assign(rollout, { newReady, lastProgressAt: rfc3339(), reason: 'ReplicaSetUpdated', deadlineExceeded: false });
      this.armDeadline(key, d, rollout);
    } else if (newPods.length > 0) rollout.reason = 'ReplicaSetUpdated';

    const all = owned();
    const pods = all.flatMap((rs) => podsOf(this.store, rs));
    const ready = pods.filter(isPodReady).length;
    const counts = {
      desiredInReplicaSets: all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0),
      total: pods.length,
      updated: newPods.length,
      ready,
      available: ready,
    };
    const complete = counts.updated === replicas && counts.total === replicas && counts.available >= replicas;
    if (complete) this.timers.clearGroup(`deadline:${key}`);
    const rsName = newRs.metadata.name;
    let conditions: Condition[] = d.status?.conditions ?? [];
    conditions =
      ready >= replicas - maxUnavailable(d.spec)
        ? setCondition(conditions, {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          })
        : setCondition(conditions, {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          });
    if (complete) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      });
    } else if (rollout.deadlineExceeded) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rsName}" has timed out progressing.`,
      });
    } else if (rollout.reason === 'NewReplicaSetCreated') {
      conditions = setCondition(
        conditions,
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` },
        rollout.lastProgressAt,
      );
    } else {
      conditions = setCondition(
        conditions,
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` },
        rollout.lastProgressAt,
      );
    }
    conditions = withReplicaFailure(
      conditions,
      [newRs, ...all].map((rs) => all.find((o) => o.metadata.uid === rs.metadata.uid) ?? rs),
    );
    const status = {
      ...replicaStatus(d.metadata.generation, counts),
      conditions,
      ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
    };
    writeStatus(this.store, Types.deployment, d, status, CONTROLLER_MANAGER, (meta) => {
      meta.annotations = { ...meta.annotations, [REVISION]: String(revisionOf(newRs)) };
    });
  }
}

/**
 * The deployment controller's getReplicaFailures: the new ReplicaSet's ReplicaFailure, else an old
 * one's, copied with the ReplicaSet's transition time; gone when none has one. Like
 * SetDeploymentCondition, a condition of the same status and reason is left as it was (message and times).
 */
function withReplicaFailure(conditions: Condition[], newFirst: StoredObject[]): Condition[] {
  const failure = newFirst.map(replicaFailureOf).find((c) => c !== undefined);
  const others = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  if (!failure) return others;
  const current = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (current && current.status === failure.status && current.reason === failure.reason) return conditions;
  const { status, reason, message, lastTransitionTime } = failure;
  return [
    ...others,
    {
      type: REPLICA_FAILURE,
      status: status as Condition['status'],
      lastUpdateTime: lastTransitionTime,
      lastTransitionTime,
      reason,
      message,
    },
  ];
}
