import { Logger } from '@nestjs/common';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { CONTAINER_NAME } from '../manifests/deployment.manifest';
import { AnnotationKeys } from '../manifests/workload-labels';
import { abortable } from './abortable-sleep';
import { evaluateRollout, initialRolloutMemory, RolloutMemory, RolloutPolicy } from './rollout.evaluator';
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
  pollIntervalMs: number;
  now?: () => number;
}

/**
 * Follows one rollout until the evaluator says it succeeded, failed or was replaced, by polling
 * the Deployment and the pods of this request (pods carry the build-id and request-id
 * annotations of the template). On success it says which image the ready pods run.
 *
 * Polling rather than a watch stream: every call is short and has a timeout, a restart needs no
 * resourceVersion bookkeeping, and a rollout's pace (seconds) does not need sub-second events.
 */
export class RolloutWatcher {
  private readonly logger = new Logger('RolloutWatcher');
  private readonly now: () => number;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: RolloutWatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Throws `signal.reason` when `signal` aborts (shutdown: `Interrupted`; a lost lease…). */
  async watch(target: RolloutTarget, signal: AbortSignal): Promise<RolloutOutcome> {
    let memory: RolloutMemory = initialRolloutMemory();
    for (;;) {
      signal.throwIfAborted();
      try {
        const [deployment, pods] = await Promise.all([
          this.cluster.readDeployment(target.namespace, target.name),
          this.cluster.listPods(target.namespace, target.podSelector),
        ]);
        const ofThisRequest = pods.filter(
          (p) =>
            p.metadata?.annotations?.[AnnotationKeys.buildId] === target.buildId &&
            p.metadata?.annotations?.[AnnotationKeys.requestId] === target.requestId,
        );
        const context = { now: this.now(), requestId: target.requestId, requestedAt: target.requestedAt, deadline: target.deadline };
        const evaluation = evaluateRollout({ deployment, pods: ofThisRequest }, memory, context, this.options.policy);
        memory = evaluation.memory;
        const { verdict } = evaluation;
        switch (verdict.status) {
          case 'progressing':
            break;
          case 'succeeded':
            return { status: 'succeeded', image: runningImage(ofThisRequest, CONTAINER_NAME) };
          case 'replaced':
            return { ...verdict, requestedAt: deployment?.metadata?.annotations?.[AnnotationKeys.requestedAt] };
          case 'failed':
            return verdict;
          default: {
            const _exhaustive: never = verdict;
            throw new Error(`unknown verdict ${JSON.stringify(_exhaustive)}`);
          }
        }
      } catch (error) {
        // A blip of the API server (already retried) costs a look, not the rollout — until the deadline.
        if (!(error instanceof KubernetesError) || !error.retryable) throw error;
        if (this.now() >= target.deadline) return { status: 'failed', reason: error.reason };
        this.logger.warn({
          msg: 'cannot observe the rollout; trying again',
          namespace: target.namespace,
          name: target.name,
          error: error.reason,
        });
      }
      await abortable(this.options.pollIntervalMs, signal);
    }
  }
}
