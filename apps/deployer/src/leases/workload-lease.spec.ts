import { describe, expect, it } from '@jest/globals';
import {
  assessLease,
  claimedLease,
  LeaseObject,
  leaseExpired,
  leaseRef,
  markedAsNext,
  microTime,
  newerRequest,
  renewedLease,
} from './workload-lease';

const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const ref = leaseRef('default', 'shop-branch-main--64a0c36e02');
const older = { requestId: 'b-7:preview', requestedAt: '2026-11-26T09:59:00.000Z', buildId: 'b-7' };
const newer = { requestId: 'b-8:preview', requestedAt: '2026-11-26T09:59:30.000Z', buildId: 'b-8' };

const heldBy = (holder: string, request = older, renewedAt = T0, durationSeconds = 15): LeaseObject => ({
  ...claimedLease(undefined, ref, { holder, request }, renewedAt, durationSeconds),
  metadata: { ...claimedLease(undefined, ref, { holder, request }, renewedAt, durationSeconds).metadata, resourceVersion: '7', uid: 'u-1' },
});

describe('the workload Lease', () => {
  it('is named after the workload, in its namespace', () => {
    expect(ref).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'default',
      name: 'deploybot-shop-branch-main--64a0c36e02',
    });
  });

  it('writes times as MicroTime', () => {
    expect(microTime(T0 + 123)).toBe('2026-11-26T10:00:00.123000Z');
  });

  it('is claimed with holder, duration, times and the request it is held for', () => {
    const lease = claimedLease(undefined, ref, { holder: 'a/b-7:preview', request: older }, T0, 15);
    expect(lease.spec).toEqual({
      holderIdentity: 'a/b-7:preview',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-26T10:00:00.000000Z',
      renewTime: '2026-11-26T10:00:00.000000Z',
      leaseTransitions: 0,
    });
    expect(lease.metadata.annotations).toEqual({
      'deploybot.dev/request-id': 'b-7:preview',
      'deploybot.dev/requested-at': older.requestedAt,
      'deploybot.dev/build-id': 'b-7',
    });
  });

  it('expires a lease duration after its last renewal, by the local clock', () => {
    const lease = heldBy('a/x', older, T0, 15);
    expect(leaseExpired(lease, T0 + 14_999)).toBe(false);
    expect(leaseExpired(lease, T0 + 15_000)).toBe(true);
    expect(leaseExpired(renewedLease(lease, T0 + 10_000), T0 + 15_000)).toBe(false);
  });

  it('counts as free when nobody holds it', () => {
    expect(leaseExpired({ ...heldBy('a/x'), spec: {} }, T0)).toBe(true);
  });
});

describe('assessLease', () => {
  const me = { holder: 'b/b-8:preview', request: newer };

  it('creates a lease that does not exist', () => {
    expect(assessLease(undefined, me, T0)).toEqual({ kind: 'free' });
  });

  it('waits for a live lease of an older request, marking itself as the next one', () => {
    expect(assessLease(heldBy('a/b-7:preview'), me, T0 + 1_000)).toEqual({ kind: 'busy', holder: 'a/b-7:preview', markAsNext: true });
  });

  it('does not mark itself again once marked', () => {
    expect(assessLease(markedAsNext(heldBy('a/b-7:preview'), newer), me, T0)).toMatchObject({ kind: 'busy', markAsNext: false });
  });

  it('takes over an expired lease', () => {
    expect(assessLease(heldBy('a/b-7:preview'), me, T0 + 16_000)).toEqual({ kind: 'expired', holder: 'a/b-7:preview' });
  });

  it('gives up at once when a later request holds the workload or waits for it', () => {
    const mine = { holder: 'a/b-7:preview', request: older };
    expect(assessLease(heldBy('b/b-8:preview', newer), { ...mine, holder: 'c/b-7:preview' }, T0)).toEqual({
      kind: 'lost-to',
      newer,
      holds: true,
    });
    expect(assessLease(markedAsNext(heldBy('x/teardown'), newer), mine, T0)).toEqual({ kind: 'lost-to', newer, holds: false });
  });

  it('waits behind another replica working on the same request, without losing to it', () => {
    expect(assessLease(heldBy('a/b-8:preview', newer), me, T0)).toMatchObject({ kind: 'busy', holder: 'a/b-8:preview' });
  });

  it('takes back its own lease', () => {
    expect(assessLease(heldBy('b/b-8:preview', newer), me, T0)).toEqual({ kind: 'mine' });
  });

  it('lets a teardown wait without ever losing to a request', () => {
    expect(assessLease(markedAsNext(heldBy('b/b-8:preview', newer), newer), { holder: 'c/b-7:teardown:1' }, T0)).toEqual({
      kind: 'busy',
      holder: 'b/b-8:preview',
      markAsNext: false,
    });
  });
});

describe('claimedLease over a previous holder', () => {
  it('counts the transition and keeps the resourceVersion for the replace', () => {
    const taken = claimedLease(heldBy('a/b-7:preview'), ref, { holder: 'b/b-8:preview', request: newer }, T0 + 20_000, 15);
    expect(taken.spec).toMatchObject({ holderIdentity: 'b/b-8:preview', leaseTransitions: 1 });
    expect(taken.metadata).toMatchObject({ resourceVersion: '7', uid: 'u-1' });
  });

  it('drops its own waiting mark but keeps a later one', () => {
    const mine = claimedLease(markedAsNext(heldBy('a/b-7:preview'), newer), ref, { holder: 'b/b-8:preview', request: newer }, T0, 15);
    expect(mine.metadata.annotations).not.toHaveProperty('deploybot.dev/next-request-id');
    const later = { requestId: 'b-9:preview', requestedAt: '2026-11-26T10:00:00.000Z', buildId: 'b-9' };
    const kept = claimedLease(markedAsNext(heldBy('a/b-7:preview'), later), ref, { holder: 'b/b-8:preview', request: newer }, T0, 15);
    expect(newerRequest(kept, newer)).toEqual(later);
  });
});
