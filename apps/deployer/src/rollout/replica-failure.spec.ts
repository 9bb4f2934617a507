import { describe, expect, it } from '@jest/globals';
import { evaluateRollout, initialRolloutMemory } from './rollout.evaluator';
import { replicaSetNeeded } from './replica-failure';
import type { DeploymentSnapshot, ReplicaSetSnapshot } from './rollout-snapshot';

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

const verdictOf = (deployment: DeploymentSnapshot, replicaSet?: ReplicaSetSnapshot) =>
  evaluateRollout({ deployment, pods: [], replicaSet }, initialRolloutMemory(), context, policy).verdict;

/** This request's ReplicaSet, refused (`message`) or not. */
const ownReplicaSet = (message?: string): ReplicaSetSnapshot => ({
  metadata: { name: 'shop-5b6d7c9f8' },
  spec: { template: { metadata: { annotations: { 'deploybot.dev/request-id': 'b-1:preview' } } } },
  status: {
    conditions: message
      ? [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message, lastTransitionTime: '2026-11-26T10:00:01Z' }]
      : [],
  },
});

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

  it("fails a request refused for the same reason as the one before at once: the Deployment keeps the first refusal's time, the request's own ReplicaSet tells", () => {
    const again = QUOTA.replace('shop-7d9c4f8b5-', 'shop-5b6d7c9f8-');
    const deployment = refused({ lastTransitionTime: '2026-11-26T09:58:12Z' });
    expect(replicaSetNeeded(deployment, REQUESTED_AT)).toBe(true);
    expect(verdictOf(deployment, ownReplicaSet(again))).toEqual({ status: 'failed', reason: `ReplicaFailure: ${again}` });
  });

  it("goes on when the request's own ReplicaSet is not refused (the older failure is an earlier ReplicaSet's), or not read yet", () => {
    const deployment = refused({ lastTransitionTime: '2026-11-26T09:58:12Z' });
    expect(verdictOf(deployment, ownReplicaSet())).toMatchObject({ status: 'progressing' });
    expect(verdictOf(deployment, undefined)).toMatchObject({ status: 'progressing' });
  });

  it("needs the request's ReplicaSet only for a refusal older than the request", () => {
    expect(replicaSetNeeded(refused({}), REQUESTED_AT)).toBe(false);
    expect(replicaSetNeeded(refused({ status: 'False', lastTransitionTime: '2026-11-26T09:58:12Z' }), REQUESTED_AT)).toBe(false);
    expect(replicaSetNeeded(refused({ lastTransitionTime: '2026-11-26T09:58:12Z' }, 1), REQUESTED_AT)).toBe(false);
    expect(replicaSetNeeded(undefined, REQUESTED_AT)).toBe(false);
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
