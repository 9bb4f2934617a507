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
  | { status: 'failed'; reason: string };

/** The rollout's limits (DESIGN §7: ROLLOUT_TIMEOUT_SECONDS, ROLLOUT_FAIL_FAST_SECONDS). */
export interface RolloutPolicy {
  timeoutMs: number;
  failFastMs: number;
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
 * Decides whether a rollout is done, still going, or failed — pure: time arrives as `now`.
 *
 * Done follows kubectl's `rollout status`; failed is the Progressing condition
 * `ProgressDeadlineExceeded`, a new pod stuck in a failing waiting state for `failFastMs`,
 * or `timeoutMs` passed since `startedAt`.
 */
export function evaluateRollout(
  observation: RolloutObservation,
  memory: RolloutMemory,
  clock: { now: number; startedAt: number },
  policy: RolloutPolicy,
): RolloutEvaluation {
  const failingSince = trackFailingContainers(observation.pods, memory.failingSince, clock.now);
  const next = { failingSince };
  const { deployment } = observation;
  if (!deployment) return { verdict: { status: 'failed', reason: 'the Deployment was deleted while it was rolling out' }, memory: next };

  const progress = rolloutProgress(deployment);
  if (progress.status === 'succeeded') return { verdict: progress, memory: next };

  const stuck = longestStuckContainer(observation.pods, failingSince);
  if (progress.status === 'failed') {
    const detail = stuck ? ` (${describeStuck(stuck)})` : '';
    return { verdict: { status: 'failed', reason: `${progress.reason}${detail}` }, memory: next };
  }
  if (stuck && clock.now - stuck.since >= policy.failFastMs) {
    return { verdict: { status: 'failed', reason: describeStuck(stuck) }, memory: next };
  }
  if (clock.now - clock.startedAt >= policy.timeoutMs) {
    const seconds = Math.round(policy.timeoutMs / 1000);
    const detail = stuck ? describeStuck(stuck) : progress.message;
    return { verdict: { status: 'failed', reason: `RolloutTimeout: not finished after ${seconds} s (${detail})` }, memory: next };
  }
  return { verdict: progress, memory: next };
}

/** kubectl's `rollout status` rule for Deployments, plus its ProgressDeadlineExceeded error. */
export function rolloutProgress(deployment: DeploymentSnapshot): RolloutVerdict {
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
