import { describe, expect, it } from '@jest/globals';
import type { DeploymentOrder } from '../manifests/deployment-order';
import type { DeploymentSnapshot } from '../rollout/rollout-snapshot';
import { compareRequests, decideApply, supersededReason } from './supersession';

const order = (requestId: string, buildId: string, requestedAt: string): DeploymentOrder => ({
  requestId,
  buildId,
  correlationId: buildId,
  identity: { environment: 'production', project: 'shop' },
  image: 'registry.example.org/shop:7',
  url: 'https://example.org',
  requestedAt,
  rolloutDeadline: '2026-11-26T11:00:00.000Z',
});

/** A Deployment as deploybot applied it for one request. */
const live = (requestId: string, buildId: string, requestedAt: string): DeploymentSnapshot => ({
  metadata: { annotations: { 'deploybot.dev/build-id': buildId, 'deploybot.dev/requested-at': requestedAt } },
  spec: { template: { metadata: { annotations: { 'deploybot.dev/build-id': buildId, 'deploybot.dev/request-id': requestId } } } },
});

const T10 = '2026-11-26T10:00:00.000Z';
const T11 = '2026-11-26T10:01:00.000Z';

describe('decideApply (guarded apply)', () => {
  it('refuses to roll back a different build that was requested later', () => {
    expect(decideApply(live('b-8:preview', 'b-8', T11), order('b-7:preview', 'b-7', T10))).toEqual({
      apply: false,
      running: { requestId: 'b-8:preview', requestedAt: T11, buildId: 'b-8' },
    });
  });

  it('refuses attempt 1 of a build over attempt 2 of the same build (requests, not builds)', () => {
    expect(decideApply(live('b-7:production:2', 'b-7', T11), order('b-7:production:1', 'b-7', T10)).apply).toBe(false);
  });

  it('lets an order replace an older request, even of the same build', () => {
    expect(decideApply(live('b-6:preview', 'b-6', T10), order('b-7:preview', 'b-7', T11))).toEqual({ apply: true });
    expect(decideApply(live('b-7:production:1', 'b-7', T10), order('b-7:production:2', 'b-7', T11))).toEqual({ apply: true });
  });

  it('lets the same request apply again (a redelivery resuming its rollout)', () => {
    expect(decideApply(live('b-7:preview', 'b-7', T10), order('b-7:preview', 'b-7', T10))).toEqual({ apply: true });
  });

  it('goes ahead over nothing, or over an object deploybot did not stamp', () => {
    expect(decideApply(undefined, order('b-7:preview', 'b-7', T10))).toEqual({ apply: true });
    expect(decideApply({ metadata: { annotations: { 'deploybot.dev/build-id': 'b-8' } } }, order('b-7:preview', 'b-7', T10))).toEqual({
      apply: true,
    });
  });

  it('orders two requests made in the same millisecond the same way on every replica', () => {
    const a = order('b-7:preview', 'b-7', T10);
    const b = order('b-8:preview', 'b-8', T10);
    const aOverB = decideApply(live(b.requestId, b.buildId, T10), a).apply;
    const bOverA = decideApply(live(a.requestId, a.buildId, T10), b).apply;
    expect(aOverB).not.toBe(bOverA);
  });
});

describe('compareRequests', () => {
  it('puts the later request last', () => {
    expect(compareRequests({ requestId: 'z', requestedAt: T10 }, { requestId: 'a', requestedAt: T11 })).toBeLessThan(0);
    expect(compareRequests({ requestId: 'a', requestedAt: T11 }, { requestId: 'z', requestedAt: T10 })).toBeGreaterThan(0);
    expect(compareRequests({ requestId: 'a', requestedAt: T10 }, { requestId: 'a', requestedAt: T10 })).toBe(0);
  });
});

describe('supersededReason', () => {
  it('names the workload and the build that won', () => {
    const where = { namespace: 'default', name: 'shop' };
    expect(supersededReason(where, { requestId: 'r', requestedAt: T11, buildId: 'b-8' }, 'runs')).toBe(
      'superseded: default/shop now runs build b-8, requested later',
    );
    expect(supersededReason(where, { requestId: 'r', requestedAt: T11, buildId: 'b-8' }, 'deploys next')).toBe(
      'superseded: build b-8 was requested later for default/shop and deploys next',
    );
  });
});
