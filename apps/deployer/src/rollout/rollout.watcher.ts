import { Logger } from '@nestjs/common';
import type { Cluster, ClusterObject } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { DEFAULT_WATCH_TUNING, type WatchTuning } from '../kubernetes/watched-list';
import { CONTAINER_NAME } from '../manifests/deployment.manifest';
import { AnnotationKeys } from '../manifests/workload-labels';
import { abortable, orAborted } from './abortable-sleep';
import { type Clock, type Look, ReadingFeed, type RolloutFeed, WatchingFeed } from './rollout-feed';
import { replicaSetNeeded } from './replica-failure';
import type { ReplicaSetSnapshot, RolloutObservation } from './rollout-snapshot';
import { nextDecisionAt } from './next-decision';
import { evaluateRollout, initialRolloutMemory, type RolloutEvaluation, type RolloutMemory, type RolloutPolicy } from './rollout.evaluator';
import { runningImage, RunningImageReport } from './running-image';

/** The rollout to follow: the Deployment, how to find its pods, which request they must be, and until when. */
export interface RolloutTarget {
  namespace: string;
  name: string;
  buildId: string;
  /** The request: its template and its pods carry it (an earlier attempt's failing pods are not this rollout's). */
  requestId: string;
  /** Label selector of the Deployment's pods. */
  podSelector: string;
  /** Epoch ms the request was made. */
  requestedAt: number;
  /** Epoch ms of the request's rollout deadline. */
  deadline: number;
}

export type RolloutOutcome =
  | { status: 'succeeded'; image: RunningImageReport }
  | { status: 'failed'; reason: string }
  /** Another request's template replaced this one's (named when deploybot applied it; `requestedAt` from the Deployment). */
  | { status: 'replaced'; buildId?: string; requestId?: string; requestedAt?: string };

export interface RolloutWatcherOptions {
  policy: RolloutPolicy;
  /** How often a rollout is read where it cannot be watched, and how long to wait after a look failed. */
  pollIntervalMs: number;
  now?: () => number;
  /** Waits `ms` unless `signal` aborts (then rejects with its reason); tests pass a virtual clock's. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How hard a watch is kept open before the rollout is read instead. */
  watch?: Partial<WatchTuning>;
  /** After a namespace refused a watch (403: RBAC without `watch`), its rollouts are read for this long before a watch is tried again. */
  readOnlyForMs?: number;
  /** A rollout whose watch kept failing (an outage, a flapping proxy) is read for this long, then watched again. */
  rewatchAfterMs?: number;
}

/** 10 minutes: an operator who grants `watch` sees it used soon; a namespace without it is logged at most every 10 minutes. */
const READ_ONLY_FOR_MS = 600_000;
/** 30 s: an API server outage is usually over by then; reads bridge it. */
const REWATCH_AFTER_MS = 30_000;

type Step = { unwatchable: { reason: string; permanent: boolean } } | { evaluation: RolloutEvaluation; observation: RolloutObservation };

/**
 * Follows one rollout until the evaluator says it succeeded, failed or was replaced. It watches
 * the Deployment and the pods of the workload (list, then watch from the list's resourceVersion;
 * rollout-feed.ts, watched-list.ts) and asks the evaluator on every change; the evaluator's time
 * limits (the deadline, the fail-fast period of a stuck container) wake it when nothing changes.
 * A verdict that ends the rollout rests on what the API server says now: the first lists, or a
 * read that confirms what the events said — not on two streams a moment apart, or one that went
 * quiet. A rollout its first lists settle opens no watch. On success it says which image the
 * ready pods run. Where the Deployment shows a refusal of pods older than the request (perhaps
 * an earlier request's, perhaps this one's for the same reason), it also reads this request's
 * ReplicaSet, which is not watched: at every look, and at least every `pollIntervalMs`.
 *
 * Where no watch can be had (the namespace refuses it, or it keeps failing) it reads the
 * Deployment and the pods every `pollIntervalMs` instead, and logs that once: a refusing
 * namespace for 10 minutes, a watch that kept failing for 30 s before it is watched again.
 */
export class RolloutWatcher {
  private readonly logger = new Logger('RolloutWatcher');
  private readonly clock: Clock;
  private readonly tuning: WatchTuning;
  /** Namespaces that refused a watch, until when their rollouts are read instead. */
  private readonly readOnly = new Map<string, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly options: RolloutWatcherOptions,
  ) {
    this.clock = { now: options.now ?? Date.now, sleep: options.sleep ?? abortable };
    this.tuning = { ...DEFAULT_WATCH_TUNING, ...options.watch };
  }

  /** Throws `signal.reason` when `signal` aborts (shutdown: `Interrupted`; a lost lease…). */
  async watch(target: RolloutTarget, signal: AbortSignal): Promise<RolloutOutcome> {
    let memory: RolloutMemory = initialRolloutMemory();
    let feed = this.feedFor(target);
    /** When a watch that kept failing is tried again (undefined: watching, or refused for good). */
    let rewatchAt: number | undefined;
    try {
      for (;;) {
        signal.throwIfAborted();
        let step: Step;
        try {
          step = await this.step(feed, target, memory, signal);
        } catch (error) {
          // A blip of the API server (already retried) costs a look, not the rollout — until the deadline.
          if (!(error instanceof KubernetesError) || !error.retryable) throw error;
          if (this.clock.now() >= target.deadline) return { status: 'failed', reason: error.reason };
          this.logger.warn({
            msg: 'cannot observe the rollout; trying again',
            namespace: target.namespace,
            name: target.name,
            error: error.reason,
          });
          await this.clock.sleep(this.options.pollIntervalMs, signal);
          continue;
        }
        if ('unwatchable' in step) {
          feed.stop();
          feed = this.readInstead(target, step.unwatchable);
          if (!step.unwatchable.permanent) rewatchAt = this.clock.now() + (this.options.rewatchAfterMs ?? REWATCH_AFTER_MS);
          continue;
        }
        memory = step.evaluation.memory;
        const { verdict } = step.evaluation;
        switch (verdict.status) {
          case 'progressing':
            break;
          case 'succeeded': {
            const image = runningImage(step.observation.pods, CONTAINER_NAME);
            if (image.status !== 'unknown') return { status: 'succeeded', image };
            // The Deployment and its pods are listed together: the pods' answer may predate the pods the
            // Deployment counts as available. One more read, after the verdict, says what they run.
            const confirmed = await orAborted(feed.read(), signal);
            return { status: 'succeeded', image: runningImage(confirmed.pods, CONTAINER_NAME) };
          }
          case 'replaced':
            return { ...verdict, requestedAt: step.observation.deployment?.metadata?.annotations?.[AnnotationKeys.requestedAt] };
          case 'failed':
            return verdict;
          default: {
            const _exhaustive: never = verdict;
            throw new Error(`unknown verdict ${JSON.stringify(_exhaustive)}`);
          }
        }
        if (rewatchAt !== undefined && this.clock.now() >= rewatchAt) {
          this.logger.log({ msg: 'watching the rollout again', namespace: target.namespace, name: target.name });
          feed.stop();
          feed = new WatchingFeed(this.cluster, target, this.clock, this.tuning);
          rewatchAt = undefined;
          continue;
        }
        // A refusal of this request's pods may show only on its ReplicaSet, which is not watched: look again soon.
        const replicaSetAt = replicaSetNeeded(step.observation.deployment, target.requestedAt)
          ? this.clock.now() + this.options.pollIntervalMs
          : Number.POSITIVE_INFINITY;
        await feed.wait(Math.min(nextDecisionAt(memory, target, this.options.policy), replicaSetAt), signal);
      }
    } finally {
      feed.stop();
    }
  }

  /** One look and its evaluation; a final verdict put together from watch events is taken again on a fresh read. */
  private async step(feed: RolloutFeed, target: RolloutTarget, memory: RolloutMemory, signal: AbortSignal): Promise<Step> {
    const look: Look = await orAborted(feed.look(), signal);
    if ('unwatchable' in look) return look;
    const seen = await this.withOwnReplicaSet(look.observation, target, signal);
    const evaluation = this.evaluate(seen, target, memory);
    if (evaluation.verdict.status === 'progressing' || look.fresh) return { evaluation, observation: seen };
    const observation = await this.withOwnReplicaSet(await orAborted(feed.read(), signal), target, signal);
    return { evaluation: this.evaluate(observation, target, memory), observation };
  }

  /**
   * The observation with this request's ReplicaSet (the one whose template carries the request id),
   * read only when the Deployment shows a refusal older than the request (replica-failure.ts).
   */
  private async withOwnReplicaSet(
    observation: RolloutObservation,
    target: RolloutTarget,
    signal: AbortSignal,
  ): Promise<RolloutObservation> {
    if (!replicaSetNeeded(observation.deployment, target.requestedAt)) return observation;
    const { items } = await orAborted(
      this.cluster.listObjects<ReplicaSetSnapshot & ClusterObject>({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        namespace: target.namespace,
        labelSelector: target.podSelector,
      }),
      signal,
    );
    const replicaSet = items.find((rs) => rs.spec?.template?.metadata?.annotations?.[AnnotationKeys.requestId] === target.requestId);
    return { ...observation, replicaSet };
  }

  private evaluate(observation: RolloutObservation, target: RolloutTarget, memory: RolloutMemory): RolloutEvaluation {
    const context = { now: this.clock.now(), requestId: target.requestId, requestedAt: target.requestedAt, deadline: target.deadline };
    return evaluateRollout(observation, memory, context, this.options.policy);
  }

  private feedFor(target: RolloutTarget): RolloutFeed {
    const readOnlyUntil = this.readOnly.get(target.namespace);
    if (readOnlyUntil !== undefined && this.clock.now() < readOnlyUntil) return this.reading(target);
    this.readOnly.delete(target.namespace);
    return new WatchingFeed(this.cluster, target, this.clock, this.tuning);
  }

  /** The watch cannot be had: read instead — in this namespace for a while when it was refused — and say so once. */
  private readInstead(target: RolloutTarget, unwatchable: { reason: string; permanent: boolean }): RolloutFeed {
    const every = `${this.options.pollIntervalMs / 1000} s`;
    if (!unwatchable.permanent) {
      const seconds = Math.round((this.options.rewatchAfterMs ?? REWATCH_AFTER_MS) / 1000);
      this.logger.warn({
        msg: `cannot keep a watch on the rollout; reading it every ${every} instead, and watching again in ${seconds} s`,
        namespace: target.namespace,
        name: target.name,
        reason: unwatchable.reason,
      });
    } else if (!this.readOnly.has(target.namespace)) {
      const minutes = Math.round((this.options.readOnlyForMs ?? READ_ONLY_FOR_MS) / 60_000);
      this.logger.warn({
        msg: `the namespace refuses watches; reading its rollouts every ${every} instead, and trying a watch again in ${minutes} min`,
        namespace: target.namespace,
        reason: unwatchable.reason,
      });
    }
    if (unwatchable.permanent) {
      this.readOnly.set(target.namespace, this.clock.now() + (this.options.readOnlyForMs ?? READ_ONLY_FOR_MS));
    }
    return this.reading(target);
  }

  private reading(target: RolloutTarget): RolloutFeed {
    return new ReadingFeed(this.cluster, target, this.clock, this.options.pollIntervalMs);
  }
}
