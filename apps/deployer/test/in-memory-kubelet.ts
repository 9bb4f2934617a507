import { createHash } from 'node:crypto';
import { ImageBehaviors, type ImageBehavior, type ImageBehaviorOptions } from '../../../test/fakes/kubernetes/image-behaviors';
import type { FakeImageRegistry } from '../../../test/fakes/kubernetes/image-registry';
import { clone, rfc3339, SAFE_ALPHABET, stableStringify, type StoredObject } from '../../../test/fakes/kubernetes/object-meta';

/** How the in-memory cluster keeps pods and writes a Deployment's status (InMemoryCluster implements it). */
export interface PodStore {
  pods(namespace: string): StoredObject[];
  insert(pod: StoredObject): StoredObject;
  remove(pod: StoredObject): void;
  writeStatus(object: StoredObject, status: Record<string, unknown>): void;
}

const TEMPLATE_HASH = 'pod-template-hash';

const letters = (seed: string, length: number): string =>
  [...createHash('sha256').update(seed).digest()]
    .slice(0, length)
    .map((b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length])
    .join('');

const isReady = (pod: StoredObject): boolean =>
  (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/** The ReplicaSet a pod belongs to: `<deployment>-<template hash>`, as the deployment controller names it. */
const replicaSetOf = (pod: StoredObject): string | undefined => pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;

/**
 * Plays the deployment controller and the kubelet for the in-memory cluster, at once instead of
 * over time: when a Deployment's template changes, its pods are there, settled in the state their
 * image's behaviour prescribes (the HTTP fake's vocabulary and registry, so the same image names
 * fail the same way and pods report the same `imageID`). Old pods go once the new ones are ready.
 * What takes time on a cluster (a progress deadline, a tag moving between two pulls) a test
 * drives by hand: {@link exceedProgressDeadline}, {@link recreatePod}.
 */
export class InMemoryKubelet {
  private readonly behaviors = new ImageBehaviors();
  private readonly deadlineExceeded = new Set<string>();
  private created = 0;

  constructor(
    private readonly store: PodStore,
    private readonly registry: FakeImageRegistry,
  ) {}

  setImageBehavior(image: string | RegExp, behavior: ImageBehavior, options?: ImageBehaviorOptions): void {
    this.behaviors.set(image, behavior, options);
  }

  /** The pods of a Deployment, every template's, oldest first. */
  podsOf(deployment: StoredObject): StoredObject[] {
    const prefix = `${deployment.metadata.name}-`;
    return this.store
      .pods(deployment.metadata.namespace ?? '')
      .filter((p) => replicaSetOf(p) === `${prefix}${p.metadata.labels?.[TEMPLATE_HASH]}`);
  }

  /** A Deployment was written: start its current template's pods if it has none, retire old ones, report. */
  deploymentWritten(deployment: StoredObject): void {
    const hash = this.templateHash(deployment);
    if (!this.podsOf(deployment).some((p) => p.metadata.labels?.[TEMPLATE_HASH] === hash)) {
      for (let i = 0; i < this.replicas(deployment); i++) this.store.insert(this.podFor(deployment));
    }
    this.settle(deployment);
  }

  /** The Deployment is gone: so are its pods (background propagation). */
  deploymentDeleted(deployment: StoredObject): void {
    for (const pod of this.podsOf(deployment)) this.store.remove(pod);
  }

  /** Replaces one pod, as the ReplicaSet does after it died: the new one pulls again (a moved tag gives another digest). */
  recreatePod(deployment: StoredObject, pod: StoredObject): void {
    this.store.remove(pod);
    this.store.insert(this.podFor(deployment));
    this.settle(deployment);
  }

  /** The Progressing condition turns ProgressDeadlineExceeded for the current template, as after `progressDeadlineSeconds` without progress. */
  exceedProgressDeadline(deployment: StoredObject): void {
    this.deadlineExceeded.add(`${deployment.metadata.namespace}/${deployment.metadata.name}/${this.templateHash(deployment)}`);
    this.settle(deployment);
  }

  /** Writes the Deployment's status from its pods, as the controller's arithmetic does; old pods go once the new ones are all ready. */
  settle(deployment: StoredObject): void {
    const hash = this.templateHash(deployment);
    const want = this.replicas(deployment);
    const isCurrent = (p: StoredObject) => p.metadata.labels?.[TEMPLATE_HASH] === hash;
    if (this.podsOf(deployment).filter((p) => isCurrent(p) && isReady(p)).length >= want) {
      for (const old of this.podsOf(deployment).filter((p) => !isCurrent(p))) this.store.remove(old);
    }
    const pods = this.podsOf(deployment);
    const updated = pods.filter(isCurrent);
    const available = pods.filter(isReady).length;
    const complete = updated.length === want && updated.every(isReady) && pods.length === updated.length;
    const rs = `${deployment.metadata.name}-${hash}`;
    const stuck = this.deadlineExceeded.has(`${deployment.metadata.namespace}/${deployment.metadata.name}/${hash}`);
    const progressing = stuck
      ? {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${rs}" has timed out progressing.`,
        }
      : complete
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${rs}" has successfully progressed.`,
          }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` };
    const counts = {
      replicas: pods.length,
      updatedReplicas: updated.length,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, want - available),
    };
    this.store.writeStatus(deployment, {
      observedGeneration: deployment.metadata.generation,
      // Zero counts are left out, as the apiserver's omitempty does.
      ...Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0)),
      conditions: [
        available >= want
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
        progressing,
      ],
    });
  }

  private replicas(deployment: StoredObject): number {
    return deployment.spec?.replicas ?? 1;
  }

  private templateHash(deployment: StoredObject): string {
    return letters(stableStringify(deployment.spec?.template ?? {}), 10);
  }

  private podFor(deployment: StoredObject): StoredObject {
    const template = clone(deployment.spec?.template ?? {});
    const hash = this.templateHash(deployment);
    const name = `${deployment.metadata.name}-${hash}-${letters(`pod ${++this.created}`, 5)}`;
    const uid = `pod-uid-${this.created}`;
    const containers: { name: string; image: string }[] = template.spec?.containers ?? [];
    const statuses = containers.map((c) => this.containerStatus(c, { pod: name, namespace: deployment.metadata.namespace ?? '', uid }));
    const started = statuses.every((s) => s.started || s.restartCount > 0);
    const ready = statuses.every((s) => s.ready);
    const condition = (type: string, ok: boolean) => ({
      type,
      status: ok ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(),
    });
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: deployment.metadata.namespace,
        uid,
        labels: { ...(template.metadata?.labels ?? {}), [TEMPLATE_HASH]: hash },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment.metadata.name}-${hash}`, uid: `rs-${hash}`, controller: true },
        ],
      },
      spec: template.spec ?? {},
      status: {
        phase: started ? 'Running' : 'Pending',
        conditions: [
          condition('Initialized', true),
          condition('Ready', ready),
          condition('ContainersReady', ready),
          condition('PodScheduled', true),
        ],
        containerStatuses: statuses,
      },
    };
  }

  /** The settled state of one container, shaped as the HTTP fake's kubelet (and containerd) write it. */
  private containerStatus(c: { name: string; image: string }, where: { pod: string; namespace: string; uid: string }) {
    const { behavior, options } = this.behaviors.resolve(c.image);
    const pulled = () => this.registry.pull(c.image) ?? '';
    const base = { name: c.name, image: c.image, lastState: {}, restartCount: 0, ready: false, started: false, imageID: '' };
    const waiting = (reason: string, message: string) => ({ ...base, state: { waiting: { reason, message } } });
    switch (behavior) {
      case 'ready':
        return { ...base, state: { running: { startedAt: rfc3339() } }, ready: true, started: true, imageID: pulled() };
      case 'never-ready':
        return { ...base, state: { running: { startedAt: rfc3339() } }, started: true, imageID: pulled() };
      case 'pull-backoff':
        return waiting('ImagePullBackOff', `Back-off pulling image "${c.image}"`);
      case 'config-error':
        return waiting('CreateContainerConfigError', options.message ?? 'configmap "app-config" not found');
      case 'invalid-name':
        return waiting(
          'InvalidImageName',
          `Failed to apply default image tag "${c.image}": couldn't parse image name "${c.image}": invalid reference format`,
        );
      case 'crashloop':
        return {
          ...waiting(
            'CrashLoopBackOff',
            `back-off 10s restarting failed container=${c.name} pod=${where.pod}_${where.namespace}(${where.uid})`,
          ),
          lastState: { terminated: { exitCode: options.exitCode ?? 1, reason: 'Error' } },
          restartCount: 1,
          imageID: pulled(),
        };
      default: {
        const _exhaustive: never = behavior;
        throw new Error(`unknown image behaviour ${String(_exhaustive)}`);
      }
    }
  }
}
