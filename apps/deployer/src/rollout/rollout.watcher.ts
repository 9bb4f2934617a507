import { Logger } from '@nestjs/common';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { AnnotationKeys } from '../manifests/workload-labels';
import { evaluateRollout, initialRolloutMemory, RolloutMemory, RolloutPolicy } from './rollout.evaluator';

/** The rollout to follow: the Deployment, how to find its pods, and which build they must run. */
export interface RolloutTarget {
  namespace: string;
  name: string;
  buildId: string;
  /** The deployment request: its pods carry it (an earlier attempt's failing pods are not this rollout's). */
  requestId: string;
  /** Label selector of the Deployment's pods. */
  podSelector: string;
}

export type RolloutOutcome = { status: 'succeeded' } | { status: 'failed'; reason: string };

/** Thrown when the deployer shuts down mid-rollout: the request is redelivered and watching resumes. */
export class RolloutInterrupted extends Error {
  constructor(target: RolloutTarget) {
    super(`stopped watching the rollout of ${target.namespace}/${target.name}: the deployer is shutting down`);
    this.name = 'RolloutInterrupted';
  }
}

export interface RolloutWatcherOptions {
  policy: RolloutPolicy;
  pollIntervalMs: number;
  now?: () => number;
}

/**
 * Follows one rollout until the evaluator says it succeeded or failed, by polling the
 * Deployment and the pods of this request (pods carry the build-id and request-id annotations of the template).
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

  async watch(target: RolloutTarget, signal: AbortSignal): Promise<RolloutOutcome> {
    const startedAt = this.now();
    let memory: RolloutMemory = initialRolloutMemory();
    for (;;) {
      if (signal.aborted) throw new RolloutInterrupted(target);
      try {
        const [deployment, pods] = await Promise.all([
          this.cluster.readDeployment(target.namespace, target.name),
          this.cluster.listPods(target.namespace, target.podSelector),
        ]);
        const ofThisRequest = pods.filter(
          (p) => p.metadata?.annotations?.[AnnotationKeys.buildId] === target.buildId && p.metadata?.annotations?.[AnnotationKeys.requestId] === target.requestId,
        );
        const evaluation = evaluateRollout({ deployment, pods: ofThisRequest }, memory, { now: this.now(), startedAt }, this.options.policy);
        memory = evaluation.memory;
        if (evaluation.verdict.status !== 'progressing') return evaluation.verdict;
      } catch (error) {
        // A blip of the API server (already retried) costs a look, not the rollout — until the deadline.
        if (!(error instanceof KubernetesError) || !error.retryable) throw error;
        if (this.now() - startedAt >= this.options.policy.timeoutMs) return { status: 'failed', reason: error.reason };
        this.logger.warn({ msg: 'cannot observe the rollout; trying again', namespace: target.namespace, name: target.name, error: error.reason });
      }
      await sleep(this.options.pollIntervalMs, signal);
    }
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
