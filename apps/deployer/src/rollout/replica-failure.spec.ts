import { describe, expect, it } from '@jest/globals';
import { evaluateRollout, initialRolloutMemory } from './rollout.evaluator';
import type { DeploymentSnapshot } from './rollout-snapshot';

const REQUESTED_AT = Date.parse('2026-11-26T10:00:00.400Z');
const context = { now: REQUESTED_AT + 2_000, requestId: 'b-1:preview', requestedAt: REQUESTED_AT, deadline: REQUESTED_AT + 300_000 };
const policy = { failFastMs: 30_000 };
const QUOTA = 'pods "shop-7d9c4f8b5-" is forbidden: exceeded quota: compute-resources, requested: pods=1, used: pods=4, limited: pods=4';

/** A Deployment of this request whose new ReplicaSet cannot create its pods. */
function refused(condition: { status?: string; lastTransitionTime?: Date | string; message?: string }, generation = 2): DeploymentSnapshot {
  return {
    metadata: { name: 'shop', generation: 2 },
    spec: { replicas: 1, template: { metadata: { annotations: { 'deploybot.dev/request-id': 'b-1:preview' } } } },
    status: {
      observedGeneration: generation,
      replicas: 0,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'Created new replica set "shop-7d9c4f8b5"' },
        {
          type: 'ReplicaFailure',
          status: condition.status ?? 'True',
          reason: 'FailedCreate',
          message: condition.message ?? QUOTA,
          lastTransitionTime: condition.lastTransitionTime ?? '2026-11-26T10:00:01Z',
        },
      ],
    },
  };
}

const verdictOf = (deployment: DeploymentSnapshot) =>
  evaluateRollout({ deployment, pods: [] }, initialRolloutMemory(), context, policy).verdict;

describe('ReplicaFailure (the API refuses the rollout its pods)', () => {
  it('fails the rollout at once with the API message', () => {
    expect(verdictOf(refused({}))).toEqual({ status: 'failed', reason: `ReplicaFailure: ${QUOTA}` });
  });

  it('reads the time client-node gives (a Date) as well as raw JSON', () => {
    expect(verdictOf(refused({ lastTransitionTime: new Date('2026-11-26T10:00:01Z') }))).toMatchObject({ status: 'failed' });
  });

  it('counts a failure stamped in the second the request was made (conditions have whole seconds)', () => {
    expect(verdictOf(refused({ lastTransitionTime: '2026-11-26T10:00:00Z' }))).toMatchObject({ status: 'failed' });
  });

  it("ignores a failure that arose before this request: an older ReplicaSet's, still retried while the fixed template rolls out", () => {
    expect(verdictOf(refused({ lastTransitionTime: '2026-11-26T09:58:12Z' }))).toMatchObject({ status: 'progressing' });
  });

  it('ignores a condition that is not True, or left from a generation the controller has not observed', () => {
    expect(verdictOf(refused({ status: 'False' }))).toMatchObject({ status: 'progressing' });
    expect(verdictOf(refused({}, 1))).toMatchObject({ status: 'progressing' });
  });

  it('names a Pod Security violation as the API words it', () => {
    const message =
      'pods "shop-7d9c4f8b5-" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)';
    expect(verdictOf(refused({ message }))).toEqual({ status: 'failed', reason: `ReplicaFailure: ${message}` });
  });
});
