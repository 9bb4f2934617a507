import type { Cluster, ClusterObject } from '../kubernetes/cluster.port';
import { WatchedList, type WatchTuning } from '../kubernetes/watched-list';
import { AnnotationKeys } from '../manifests/workload-labels';
import type { DeploymentSnapshot, PodSnapshot, RolloutObservation } from './rollout-snapshot';

/** What a feed needs to know of the rollout it follows. */
export interface FedRollout {
  namespace: string;
  name: string;
  buildId: string;
  requestId: string;
  podSelector: string;
}

/** Time as the watcher sees it: tests pass a virtual clock. `sleep` rejects with `signal.reason` when it aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * A look at the rollout — `fresh` when it was just read from the API server (a read, or the
 * first lists of a watch), not put together from events — or word that the watch cannot be had
 * and the watcher should read instead.
 */
export type Look = { observation: RolloutObservation; fresh: boolean } | { unwatchable: { reason: string; permanent: boolean } };

/**
 * Where the rollout watcher's observations come from: a watch (events as they happen) or reads
 * (a look every interval). Every call but `look` of a watch is a read.
 */
export interface RolloutFeed {
  /** The rollout as the feed knows it now. Throws what listing or reading throws (KubernetesError). */
  look(): Promise<Look>;
  /** The rollout as the API server has it now: a read of the Deployment and a list of its pods. */
  read(): Promise<RolloutObservation>;
  /** Waits until the rollout may have changed, or until `until` (epoch ms) at the latest. */
  wait(until: number, signal: AbortSignal): Promise<void>;
  stop(): void;
}

/** The pods of this request: they carry its build and request ids (an earlier attempt's failing pods are not this rollout's). */
export const podsOfRequest = <P extends PodSnapshot & ClusterObject>(pods: P[], rollout: FedRollout): P[] =>
  pods.filter(
    (p) =>
      p.metadata?.annotations?.[AnnotationKeys.buildId] === rollout.buildId &&
      p.metadata?.annotations?.[AnnotationKeys.requestId] === rollout.requestId,
  );

async function readRollout(cluster: Cluster, rollout: FedRollout): Promise<RolloutObservation> {
  const [deployment, pods] = await Promise.all([
    cluster.readDeployment(rollout.namespace, rollout.name),
    cluster.listPods(rollout.namespace, rollout.podSelector),
  ]);
  return { deployment, pods: podsOfRequest(pods, rollout) };
}

/** Reads the Deployment and lists its pods every `intervalMs`: where no watch can be had. */
export class ReadingFeed implements RolloutFeed {
  constructor(
    private readonly cluster: Cluster,
    private readonly rollout: FedRollout,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  async look(): Promise<Look> {
    return { observation: await this.read(), fresh: true };
  }

  read(): Promise<RolloutObservation> {
    return readRollout(this.cluster, this.rollout);
  }

  wait(_until: number, signal: AbortSignal): Promise<void> {
    return this.clock.sleep(this.intervalMs, signal);
  }

  stop(): void {}
}

/** Thrown into a feed's sleep when an event arrives: wake up and look. */
const CHANGED = Symbol('changed');

/**
 * Follows the Deployment (by name) and its pods (by the workload's label selector) with one
 * watched list each. The first look lists them; only a rollout those lists do not settle opens
 * the watches (at the first wait). A look costs no request once both are listed and watched.
 */
export class WatchingFeed implements RolloutFeed {
  private readonly deployment: WatchedList<DeploymentSnapshot & ClusterObject>;
  private readonly pods: WatchedList<PodSnapshot & ClusterObject>;
  /** Something changed since the last look. */
  private dirty = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly rollout: FedRollout,
    private readonly clock: Clock,
    tuning?: WatchTuning,
  ) {
    const changed = () => {
      this.dirty = true;
      this.wake?.();
    };
    const { namespace, name, podSelector } = rollout;
    const now = () => clock.now();
    this.deployment = new WatchedList(cluster, { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }, changed, now, tuning);
    this.pods = new WatchedList(cluster, { apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: podSelector }, changed, now, tuning);
  }

  async look(): Promise<Look> {
    this.dirty = false;
    const listed = this.deployment.listings + this.pods.listings;
    // Both settle before a failure is thrown: a look never leaves a list half-synced behind it.
    const settled = await Promise.allSettled([this.deployment.sync(), this.pods.sync()]);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    for (const s of settled) {
      if (s.status === 'fulfilled' && s.value.state === 'unwatchable') {
        return { unwatchable: { reason: s.value.reason, permanent: s.value.permanent } };
      }
    }
    // Both listed just now, and nothing from a watch applied since: as fresh as a read.
    const fresh = this.deployment.listings + this.pods.listings === listed + 2 && !this.dirty;
    const [deployment] = this.deployment.objects;
    return { observation: { deployment, pods: podsOfRequest(this.pods.objects, this.rollout) }, fresh };
  }

  read(): Promise<RolloutObservation> {
    return readRollout(this.cluster, this.rollout);
  }

  async wait(until: number, signal: AbortSignal): Promise<void> {
    // The lists did not settle it: from now on, watch (from the lists' resourceVersion).
    this.deployment.watch();
    this.pods.watch();
    if (this.dirty) return;
    const retries = [this.deployment.health(), this.pods.health()].flatMap((h) => (h.state === 'waiting' ? [h.retryAt] : []));
    const wakeAt = Math.min(until, ...retries);
    const woken = new AbortController();
    this.wake = () => woken.abort(CHANGED);
    try {
      await this.clock.sleep(Math.max(0, wakeAt - this.clock.now()), AbortSignal.any([signal, woken.signal]));
    } catch (error) {
      if (error !== CHANGED) throw error;
    } finally {
      this.wake = undefined;
    }
  }

  stop(): void {
    this.deployment.stop();
    this.pods.stop();
  }
}
