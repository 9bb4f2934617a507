import { createHash } from 'node:crypto';
import { type ContainerEnv, containerConfigError } from './container-config';
import { KUBELET_MANAGER, writeStatus } from './controller-writes';
import type { ImageBehaviors, ImageBehaviorOptions, ImageBehavior } from './image-behaviors';
import type { FakeImageRegistry } from './image-registry';
import { rfc3339, type StoredObject } from './object-meta';
import type { ObjectStore, StoreEvent } from './object-store';
import { Types } from './resource-types';
import type { Timers } from './timers';

/** Where a simulated container is in its life; the pod status is computed from these. */
type Stage = 'creating' | 'err-image-pull' | 'image-pull-backoff' | 'config-error' | 'invalid-name' | 'running' | 'ready' | 'crash-backoff';

interface ContainerSim {
  name: string;
  image: string;
  behavior: ImageBehavior;
  options: ImageBehaviorOptions;
  stage: Stage;
  restartCount: number;
  startedAt?: string;
  /** `<repository>@sha256:<hex>`, resolved when the container first starts (the pull) and kept across restarts. */
  imageID?: string;
  lastExit?: { startedAt: string; finishedAt: string };
  backoffSeconds: number;
}

interface PodSim {
  pod: StoredObject;
  podIP: string;
  startTime: string;
  containers: ContainerSim[];
}

export interface KubeletTiming {
  timeScale: number;
  podReadyAfterMs: number;
}

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');
const NOT_STARTED: Stage[] = ['creating', 'err-image-pull', 'image-pull-backoff', 'config-error', 'invalid-name'];

/**
 * Plays the kubelet for every Pod in the store: moves each container through the stages its image's
 * behaviour prescribes and writes the pod status (shapes as in a real cluster) after each step.
 */
export class Kubelet {
  private readonly pods = new Map<string, PodSim>();
  private nextIp = 2;

  constructor(
    private readonly store: ObjectStore,
    private readonly behaviors: ImageBehaviors,
    private readonly timing: KubeletTiming,
    private readonly timers: Timers,
    private readonly registry: Pick<FakeImageRegistry, 'pull'>,
  ) {}

  onEvent(event: StoreEvent): void {
    if (event.resource !== Types.pod) return;
    const uid = event.object.metadata.uid ?? '';
    if (event.type === 'ADDED') this.admit(event.object);
    if (event.type === 'DELETED') {
      this.pods.delete(uid);
      this.timers.clearGroup(uid);
    }
  }

  private admit(pod: StoredObject): void {
    const uid = pod.metadata.uid ?? '';
    const containers: ContainerSim[] = (pod.spec?.containers ?? []).map((c: ContainerEnv & { name: string; image: string }) => ({
      name: c.name,
      image: c.image,
      ...this.behaviorOf(pod, c),
      stage: 'creating',
      restartCount: 0,
      backoffSeconds: 10,
    }));
    const sim: PodSim = { pod, podIP: `10.244.0.${this.nextIp++ % 250}`, startTime: rfc3339(), containers };
    this.pods.set(uid, sim);
    this.publish(sim);
    for (const container of containers) this.plan(sim, container);
  }

  /** The image's behaviour, unless the container's environment names a Secret or ConfigMap that is not there. */
  private behaviorOf(
    pod: StoredObject,
    container: ContainerEnv & { image: string },
  ): { behavior: ImageBehavior; options: ImageBehaviorOptions } {
    const message = containerConfigError(this.store, pod.metadata.namespace ?? 'default', container);
    return message ? { behavior: 'config-error', options: { message } } : this.behaviors.resolve(container.image);
  }

  private plan(sim: PodSim, c: ContainerSim): void {
    const full = (c.options.readyAfterMs ?? this.timing.podReadyAfterMs) * this.timing.timeScale;
    const at = (ms: number, stage: Stage, then?: () => void): void =>
      this.timers.after(sim.pod.metadata.uid ?? '', ms, () => {
        c.stage = stage;
        if (stage === 'running' || stage === 'ready') {
          c.startedAt ??= rfc3339();
          c.imageID ??= this.registry.pull(c.image);
        }
        then?.();
        this.publish(sim);
      });
    switch (c.behavior) {
      case 'ready':
        return at(full, 'ready');
      case 'never-ready':
        return at(full / 2, 'running');
      case 'config-error':
        return at(full / 2, 'config-error');
      case 'invalid-name':
        return at(full / 2, 'invalid-name');
      case 'pull-backoff':
        at(full / 2, 'err-image-pull');
        return at(full, 'image-pull-backoff');
      case 'crashloop':
        at(full / 2, 'running');
        return at(full, 'crash-backoff', () => this.crash(sim, c));
    }
  }

  /** One more exit; the next restart comes after the (scaled) back-off, which doubles up to 5 minutes like the kubelet's. */
  private crash(sim: PodSim, c: ContainerSim): void {
    const finishedAt = rfc3339();
    c.lastExit = { startedAt: c.startedAt ?? finishedAt, finishedAt };
    c.restartCount += 1;
    c.backoffSeconds = Math.min(10 * 2 ** (c.restartCount - 1), 300);
    this.timers.after(sim.pod.metadata.uid ?? '', c.backoffSeconds * 1000 * this.timing.timeScale, () => {
      this.crash(sim, c);
      this.publish(sim);
    });
  }

  private containerStatus(sim: PodSim, c: ContainerSim): Record<string, unknown> {
    const { name: podName, namespace, uid } = sim.pod.metadata;
    const started = !NOT_STARTED.includes(c.stage);
    const id = hex(`${uid}/${c.name}/${c.restartCount}`);
    const waiting = (reason: string, message?: string) => ({ waiting: message ? { reason, message } : { reason } });
    const state = {
      creating: waiting('ContainerCreating'),
      'err-image-pull': waiting(
        'ErrImagePull',
        `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`,
      ),
      'invalid-name': waiting(
        'InvalidImageName',
        `Failed to apply default image tag "${c.image}": couldn't parse image name "${c.image}": invalid reference format`,
      ),
      'image-pull-backoff': waiting('ImagePullBackOff', `Back-off pulling image "${c.image}"`),
      'config-error': waiting('CreateContainerConfigError', c.options.message ?? 'configmap "app-config" not found'),
      'crash-backoff': waiting(
        'CrashLoopBackOff',
        `back-off ${c.backoffSeconds}s restarting failed container=${c.name} pod=${podName}_${namespace}(${uid})`,
      ),
      running: { running: { startedAt: c.startedAt } },
      ready: { running: { startedAt: c.startedAt } },
    }[c.stage];
    const lastState = c.lastExit
      ? {
          terminated: {
            exitCode: c.options.exitCode ?? 1,
            reason: 'Error',
            ...c.lastExit,
            containerID: `containerd://${hex(`${id}-last`)}`,
          },
        }
      : {};
    return {
      name: c.name,
      state,
      lastState,
      ready: c.stage === 'ready',
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.imageID ?? '',
      ...(started ? { containerID: `containerd://${id}` } : {}),
      started: c.stage === 'running' || c.stage === 'ready',
    };
  }

  private publish(sim: PodSim): void {
    const live = this.store.get(Types.pod, sim.pod.metadata.namespace, sim.pod.metadata.name);
    if (!live) return;
    const unready = sim.containers.filter((c) => c.stage !== 'ready').map((c) => c.name);
    const previous: { type: string; status: string; lastTransitionTime: string }[] = live.status?.conditions ?? [];
    const condition = (type: string, ok: boolean, reason?: string, message?: string) => {
      const status = ok ? 'True' : 'False';
      const before = previous.find((p) => p.type === type);
      const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : rfc3339();
      return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason ? { reason, message } : {}) };
    };
    const allStarted = sim.containers.every((c) => !NOT_STARTED.includes(c.stage));
    const notReady = unready.length > 0;
    const status = {
      phase: allStarted ? 'Running' : 'Pending',
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition(
          'Ready',
          !notReady,
          notReady ? 'ContainersNotReady' : undefined,
          `containers with unready status: [${unready.join(' ')}]`,
        ),
        condition(
          'ContainersReady',
          !notReady,
          notReady ? 'ContainersNotReady' : undefined,
          `containers with unready status: [${unready.join(' ')}]`,
        ),
        condition('PodScheduled', true),
      ],
      hostIP: '10.0.0.10',
      hostIPs: [{ ip: '10.0.0.10' }],
      podIP: sim.podIP,
      podIPs: [{ ip: sim.podIP }],
      startTime: sim.startTime,
      containerStatuses: sim.containers.map((c) => this.containerStatus(sim, c)),
      qosClass: live.status?.qosClass ?? 'BestEffort',
    };
    writeStatus(this.store, Types.pod, live, status, KUBELET_MANAGER);
  }
}
