import { describe, expect, it } from '@jest/globals';
import { k8sFixture } from '../../test/fixtures/k8s-fixtures';
import { evaluateRollout, initialRolloutMemory, RolloutMemory, rolloutProgress } from './rollout.evaluator';
import type { DeploymentSnapshot, PodSnapshot } from './rollout-snapshot';

const REQUEST = 'b-1:preview';

/** A Deployment whose current template was applied for `requestId` (and build `buildId`). */
const appliedFor = (d: DeploymentSnapshot, requestId = REQUEST, buildId = 'b-1'): DeploymentSnapshot => ({
  ...d,
  spec: {
    ...d.spec,
    template: { metadata: { annotations: { 'deploybot.dev/build-id': buildId, 'deploybot.dev/request-id': requestId } } },
  },
});

const available = appliedFor(k8sFixture<DeploymentSnapshot>('deployment.available.gitops-engine.json'));
const progressing = appliedFor(k8sFixture<DeploymentSnapshot>('deployment.progressing.gitops-engine.json'));
const deadlineExceeded = appliedFor(k8sFixture<DeploymentSnapshot>('deployment.progress-deadline-exceeded.gitops-engine.json'));
const imagePullBackOff = k8sFixture<PodSnapshot>('pod.imagepullbackoff.gitops-engine.json');
const crashLoop = k8sFixture<PodSnapshot>('pod-crashloop.gitops-engine.yaml');
const pending = k8sFixture<PodSnapshot>('pod-pending.gitops-engine.yaml');
const runningNotReady = k8sFixture<PodSnapshot>('pod-running-not-ready.gitops-engine.yaml');

const policy = { failFastMs: 30_000 };
const T0 = 1_700_000_000_000;
/** The request was made at T0 with a deadline 300 s later; `t` is ms after T0. */
const context = (t: number) => ({ now: T0 + t, requestId: REQUEST, requestedAt: T0, deadline: T0 + 300_000 });

/** Observes the same state at each of `times` (ms after T0) and returns the last evaluation. */
function observeOver(deployment: DeploymentSnapshot | undefined, pods: PodSnapshot[], times: number[]) {
  let memory: RolloutMemory = initialRolloutMemory();
  let last: ReturnType<typeof evaluateRollout> | undefined;
  for (const t of times) {
    last = evaluateRollout({ deployment, pods }, memory, context(t), policy);
    memory = last.memory;
  }
  return last!;
}

describe('rolloutProgress (kubectl rollout status)', () => {
  it('is done when every replica is updated and available and no old ones remain', () => {
    expect(rolloutProgress(available)).toEqual({ status: 'succeeded' });
  });

  it('waits while old replicas are still terminating', () => {
    expect(rolloutProgress(progressing)).toEqual({ status: 'progressing', message: '1 old replicas are pending termination' });
  });

  it('waits until the controller has observed the latest generation', () => {
    const stale = { ...available, metadata: { ...available.metadata, generation: 6 } };
    expect(rolloutProgress(stale)).toMatchObject({ status: 'progressing', message: expect.stringContaining('observed') });
  });

  it('waits while updated replicas are not yet available', () => {
    const d = {
      metadata: { generation: 2 },
      spec: { replicas: 2 },
      status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
    };
    expect(rolloutProgress(d)).toEqual({ status: 'progressing', message: '1 of 2 updated replicas are available' });
  });

  it('fails when the Progressing condition says ProgressDeadlineExceeded', () => {
    expect(rolloutProgress(deadlineExceeded)).toEqual({
      status: 'failed',
      reason: 'ProgressDeadlineExceeded: ReplicaSet "guestbook-ui-75dd4d49d5" has timed out progressing.',
    });
  });

  it('ignores a deadline condition left from a generation the controller has not observed yet', () => {
    const reapplied = { ...deadlineExceeded, metadata: { ...deadlineExceeded.metadata, generation: 5 } };
    expect(rolloutProgress(reapplied).status).toBe('progressing');
  });

  it('is done at once for a workload scaled to zero', () => {
    const d = { metadata: { generation: 1 }, spec: { replicas: 0 }, status: { observedGeneration: 1 } };
    expect(rolloutProgress(d)).toEqual({ status: 'succeeded' });
  });
});

describe('evaluateRollout', () => {
  it('reports success as soon as the rollout is complete', () => {
    expect(observeOver(available, [], [0]).verdict).toEqual({ status: 'succeeded' });
  });

  it('keeps waiting for a pod in ImagePullBackOff during the grace period', () => {
    expect(observeOver(progressing, [imagePullBackOff], [0, 29_999]).verdict.status).toBe('progressing');
  });

  it('fails a pod stuck in ImagePullBackOff for the grace period, naming pod, container and message', () => {
    expect(observeOver(progressing, [imagePullBackOff], [0, 10_000, 30_000]).verdict).toEqual({
      status: 'failed',
      reason:
        'ImagePullBackOff: Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3" ' +
        '(pod guestbook-ui-errimagepullbackoff-66cfffb669-45w2j, container errimagepullbackoff)',
    });
  });

  it('fails a crash-looping container with its last exit code', () => {
    const verdict = observeOver(progressing, [crashLoop], [0, 30_000]).verdict;
    expect(verdict).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^CrashLoopBackOff: Back-off 40s restarting failed container=main/),
    });
    expect(verdict.status === 'failed' && verdict.reason).toContain('container main, last exit code 1)');
  });

  it('counts the grace period across ErrImagePull and ImagePullBackOff alternating', () => {
    const withReason = (reason: string): PodSnapshot => ({
      metadata: { name: 'p' },
      status: { containerStatuses: [{ name: 'app', state: { waiting: { reason, message: 'pull failed' } } }] },
    });
    let memory = initialRolloutMemory();
    const at = (t: number, pod: PodSnapshot) => {
      const e = evaluateRollout({ deployment: progressing, pods: [pod] }, memory, context(t), policy);
      memory = e.memory;
      return e.verdict;
    };
    at(0, withReason('ErrImagePull'));
    at(15_000, withReason('ImagePullBackOff'));
    expect(at(30_000, withReason('ErrImagePull'))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^ErrImagePull: pull failed/),
    });
  });

  it('starts the grace period over when a container recovered in between', () => {
    const healthy: PodSnapshot = {
      metadata: { name: 'guestbook-ui-errimagepullbackoff-66cfffb669-45w2j' },
      status: { containerStatuses: [] },
    };
    let memory = initialRolloutMemory();
    const at = (t: number, pod: PodSnapshot) => {
      const e = evaluateRollout({ deployment: progressing, pods: [pod] }, memory, context(t), policy);
      memory = e.memory;
      return e.verdict;
    };
    at(0, imagePullBackOff);
    at(20_000, healthy);
    expect(at(40_000, imagePullBackOff).status).toBe('progressing');
  });

  it('does not treat pending or not-yet-ready pods as failed', () => {
    expect(observeOver(progressing, [pending, runningNotReady], [0, 60_000]).verdict.status).toBe('progressing');
  });

  it("fails at the request's absolute deadline, however late watching started", () => {
    const late = evaluateRollout(
      { deployment: progressing, pods: [] },
      initialRolloutMemory(),
      { ...context(299_000), now: T0 + 300_001 },
      policy,
    );
    expect(late.verdict).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^RolloutTimeout: not finished after 300 s/) });
    expect(observeOver(progressing, [], [250_000, 299_999]).verdict.status).toBe('progressing');
  });

  it('fails when the rollout deadline passed, saying where it stood', () => {
    expect(observeOver(progressing, [runningNotReady], [0, 300_000]).verdict).toEqual({
      status: 'failed',
      reason: 'RolloutTimeout: not finished after 300 s (1 old replicas are pending termination)',
    });
  });

  it('adds the stuck pod to a ProgressDeadlineExceeded reason', () => {
    const verdict = observeOver(deadlineExceeded, [imagePullBackOff], [0]).verdict;
    expect(verdict).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^ProgressDeadlineExceeded: .*timed out progressing\. \(ImagePullBackOff: Back-off pulling image/),
    });
  });

  it('fails when the Deployment disappeared', () => {
    expect(observeOver(undefined, [], [0]).verdict).toEqual({
      status: 'failed',
      reason: 'the Deployment was deleted while it was rolling out',
    });
  });

  it('fails immediately when the grace period is zero', () => {
    const zero = evaluateRollout({ deployment: progressing, pods: [imagePullBackOff] }, initialRolloutMemory(), context(0), {
      ...policy,
      failFastMs: 0,
    });
    expect(zero.verdict.status).toBe('failed');
  });
});

describe('evaluateRollout: whose template is running', () => {
  it("does not count a complete rollout of another request's template as this request's success", () => {
    const newer = appliedFor(available, 'b-2:preview', 'b-2');
    expect(observeOver(newer, [], [0]).verdict).toEqual({ status: 'replaced', buildId: 'b-2', requestId: 'b-2:preview' });
  });

  it('does not count an earlier attempt of the same build either (production attempt 1 vs 2)', () => {
    const attempt1 = appliedFor(available, 'b-1:production:1');
    const verdict = evaluateRollout(
      { deployment: attempt1, pods: [] },
      initialRolloutMemory(),
      { ...context(0), requestId: 'b-1:production:2' },
      policy,
    ).verdict;
    expect(verdict).toEqual({ status: 'replaced', buildId: 'b-1', requestId: 'b-1:production:1' });
  });

  it("treats a template without deploybot's ids as replaced by someone unnamed", () => {
    const foreign = { ...available, spec: { ...available.spec, template: { metadata: {} } } };
    expect(observeOver(foreign, [], [0]).verdict).toEqual({ status: 'replaced', buildId: undefined, requestId: undefined });
  });

  it("reports the replacement even while the other request's rollout is still going", () => {
    expect(observeOver(appliedFor(progressing, 'b-3:preview', 'b-3'), [], [0]).verdict.status).toBe('replaced');
  });
});
