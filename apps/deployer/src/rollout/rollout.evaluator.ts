import { AnnotationKeys } from '../manifests/workload-labels';
import { replicaFailureOf } from './replica-failure';
import { ContainerStatusSnapshot, DeploymentSnapshot, PodSnapshot, RolloutObservation } from './rollout-snapshot';

/** Waiting reasons that do not fix themselves: after the grace period the rollout has failed. */
export const FAILING_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'InvalidImageName',
]);

export type RolloutVerdict =
  | { status: 'progressing'; message: string }
  | { status: 'succeeded' }
  | { status: 'failed'; reason: string }
  /** The Deployment's template is no longer this request's: another request (named when deploybot's) applied over it. */
  | { status: 'replaced'; buildId?: string; requestId?: string };

/** How long pods may sit in a failing waiting state (docs/architecture.md §7: ROLLOUT_FAIL_FAST_SECONDS). */
export interface RolloutPolicy {
  failFastMs: number;
}

/** The rollout being judged and the time, all in epoch ms. */
export interface RolloutContext {
  now: number;
  /** The request's own id: only a template that carries it is this rollout. */
  requestId: string;
  /** When the request was made, for the timeout message. */
  requestedAt: number;
  /** The request's absolute rollout deadline. */
  deadline: number;
}

/**
 * What the evaluator remembers between observations: since when each container has been in a
 * failing waiting state. Kubernetes does not timestamp waiting states, so the watcher carries this.
 */
export interface RolloutMemory {
  /** Key `<pod>/<container>`, value epoch ms when it was first seen failing. */
  failingSince: ReadonlyMap<string, number>;
}

export const initialRolloutMemory = (): RolloutMemory => ({ failingSince: new Map() });

export interface RolloutEvaluation {
  verdict: RolloutVerdict;
  memory: RolloutMemory;
}

/**
 * Decides whether a rollout is done, still going, failed, or replaced by another request —
 * pure: time arrives as `now`.
 *
 * Done is kubectl's `rollout status` for a Deployment whose current template carries this
 * request's id (so the ready pods are this request's); failed is a `ReplicaFailure` of this
 * rollout (replica-failure.ts), the Progressing condition
 * `ProgressDeadlineExceeded`, a new pod stuck in a failing waiting state for `failFastMs`,
 * or the request's rollout deadline passed.
 */
export function evaluateRollout(
  observation: RolloutObservation,
  memory: RolloutMemory,
  context: RolloutContext,
  policy: RolloutPolicy,
): RolloutEvaluation {
  const failingSince = trackFailingContainers(observation.pods, memory.failingSince, context.now);
  const next = { failingSince };
  const { deployment } = observation;
  if (!deployment) return { verdict: { status: 'failed', reason: 'the Deployment was deleted while it was rolling out' }, memory: next };
  const template = deployment.spec?.template?.metadata?.annotations ?? {};
  if (template[AnnotationKeys.requestId] !== context.requestId) {
    return {
      verdict: { status: 'replaced', buildId: template[AnnotationKeys.buildId], requestId: template[AnnotationKeys.requestId] },
      memory: next,
    };
  }

  const progress = rolloutProgress(deployment);
  if (progress.status === 'succeeded') return { verdict: progress, memory: next };
  const refused = replicaFailureOf(deployment, context.requestedAt, observation.replicaSet);
  if (refused) return { verdict: { status: 'failed', reason: refused }, memory: next };

  const stuck = longestStuckContainer(observation.pods, failingSince);
  if (progress.status === 'failed') {
    const detail = stuck ? ` (${describeStuck(stuck)})` : '';
    return { verdict: { status: 'failed', reason: `${progress.reason}${detail}` }, memory: next };
  }
  if (stuck && context.now - stuck.since >= policy.failFastMs) {
    return { verdict: { status: 'failed', reason: describeStuck(stuck) }, memory: next };
  }
  if (context.now >= context.deadline) {
    const seconds = Math.round((context.deadline - context.requestedAt) / 1000);
    const detail = stuck ? describeStuck(stuck) : progress.message;
    return { verdict: { status: 'failed', reason: `RolloutTimeout: not finished after ${seconds} s (${detail})` }, memory: next };
  }
  return { verdict: progress, memory: next };
}

/** kubectl's `rollout status` rule for Deployments, plus its ProgressDeadlineExceeded error. */
export function rolloutProgress(deployment: DeploymentSnapshot): Exclude<RolloutVerdict, { status: 'replaced' }> {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? -1) < generation) {
    return { status: 'progressing', message: 'waiting for the deployment spec update to be observed' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { status: 'failed', reason: `ProgressDeadlineExceeded: ${progressing.message ?? 'the rollout made no progress'}` };
  }
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted) return { status: 'progressing', message: `${updated} of ${wanted} updated replicas are available` };
  if (total > updated) return { status: 'progressing', message: `${total - updated} old replicas are pending termination` };
  if (available < updated) return { status: 'progressing', message: `${available} of ${updated} updated replicas are available` };
  return { status: 'succeeded' };
}

interface StuckContainer {
  pod: string;
  container: ContainerStatusSnapshot;
  since: number;
}

const containersOf = (pod: PodSnapshot): ContainerStatusSnapshot[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? []),
];

const failingReason = (c: ContainerStatusSnapshot): string | undefined => {
  const reason = c.state?.waiting?.reason;
  return reason && FAILING_WAITING_REASONS.has(reason) ? reason : undefined;
};

/** Keeps the first time each container was seen failing; a container that recovered starts over. */
function trackFailingContainers(pods: PodSnapshot[], previous: ReadonlyMap<string, number>, now: number): Map<string, number> {
  const next = new Map<string, number>();
  for (const pod of pods) {
    for (const container of containersOf(pod)) {
      if (!failingReason(container)) continue;
      const key = `${pod.metadata?.name ?? '?'}/${container.name}`;
      next.set(key, previous.get(key) ?? now);
    }
  }
  return next;
}

function longestStuckContainer(pods: PodSnapshot[], failingSince: ReadonlyMap<string, number>): StuckContainer | undefined {
  let longest: StuckContainer | undefined;
  for (const pod of pods) {
    const podName = pod.metadata?.name ?? '?';
    for (const container of containersOf(pod)) {
      const since = failingSince.get(`${podName}/${container.name}`);
      if (since === undefined || !failingReason(container)) continue;
      if (!longest || since < longest.since) longest = { pod: podName, container, since };
    }
  }
  return longest;
}

/** `ImagePullBackOff: Back-off pulling image "x" (pod p, container c)` — what Slack shows. */
function describeStuck({ pod, container }: StuckContainer): string {
  const waiting = container.state?.waiting ?? {};
  const exit = container.lastState?.terminated?.exitCode;
  const where = `pod ${pod}, container ${container.name}${exit !== undefined ? `, last exit code ${exit}` : ''}`;
  return waiting.message ? `${waiting.reason}: ${waiting.message} (${where})` : `${waiting.reason} (${where})`;
}
