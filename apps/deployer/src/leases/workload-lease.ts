import type { ClusterObject, ObjectRef } from '../kubernetes/cluster.port';
import { LabelKeys, MANAGED_BY } from '../manifests/workload-labels';
import { compareRequests, RequestStamp } from '../deployments/supersession';

/*
 * Pure rules of the per-workload Lease (coordination.k8s.io/v1): who holds it, when it has
 * expired, and which request is newer. The I/O lives in workload-locks.ts.
 *
 * Annotation keys are read by every deployer replica, old and new: renaming one needs a migration.
 */
export const LeaseAnnotations = {
  /** The request the holder works for (absent for a teardown, which competes with no request). */
  requestId: 'deploybot.dev/request-id',
  requestedAt: 'deploybot.dev/requested-at',
  buildId: 'deploybot.dev/build-id',
  /** The newest request waiting for the workload: an older holder gives up for it. */
  nextRequestId: 'deploybot.dev/next-request-id',
  nextRequestedAt: 'deploybot.dev/next-requested-at',
  nextBuildId: 'deploybot.dev/next-build-id',
} as const;

export interface LeaseObject extends ClusterObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: NonNullable<ClusterObject['metadata']> & { name: string; namespace: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    /** MicroTime: RFC 3339 with microseconds (client-node hands it over as a string or a Date). */
    acquireTime?: string | Date;
    renewTime?: string | Date;
    leaseTransitions?: number;
  };
}

/** Who asks for the Lease: one deployer instance working on one request. */
export interface LeaseClaimant {
  /** `<instance>/<request>`: unique per replica and request, so a redelivered copy on another replica waits. */
  holder: string;
  /** The request it works for; absent for a teardown. */
  request?: RequestStamp;
}

/** The Lease guarding the workload `name`: `deploybot-<name>`, in the workload's namespace. */
export const leaseRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  namespace,
  name: `deploybot-${name}`,
});

/** MicroTime as the API server writes it: `2026-11-26T10:00:00.123000Z`. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const timeOf = (value: string | Date | undefined): number => (value === undefined ? NaN : new Date(value).getTime());

/**
 * Expired: nobody holds it, or it was last renewed more than its duration ago by the local
 * clock. (Replicas' clocks are NTP-synchronised; a skew larger than the renew margin could
 * take a live lease, which is why a holder verifies the lease before it applies or reports.)
 */
export function leaseExpired(lease: LeaseObject, now: number): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity) return true;
  const renewed = timeOf(spec.renewTime ?? spec.acquireTime);
  return Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? 0) * 1000 <= now;
}

const stamp = (
  annotations: Record<string, string> | undefined,
  keys: { id: string; at: string; build: string },
): RequestStamp | undefined => {
  const requestId = annotations?.[keys.id];
  const requestedAt = annotations?.[keys.at];
  return requestId && requestedAt ? { requestId, requestedAt, buildId: annotations?.[keys.build] } : undefined;
};

export const holderRequest = (lease: LeaseObject): RequestStamp | undefined =>
  stamp(lease.metadata.annotations, { id: LeaseAnnotations.requestId, at: LeaseAnnotations.requestedAt, build: LeaseAnnotations.buildId });

export const nextRequest = (lease: LeaseObject): RequestStamp | undefined =>
  stamp(lease.metadata.annotations, {
    id: LeaseAnnotations.nextRequestId,
    at: LeaseAnnotations.nextRequestedAt,
    build: LeaseAnnotations.nextBuildId,
  });

/** A request newer than `mine` that holds or waits for the workload: then `mine` has lost. */
export function newerRequest(lease: LeaseObject, mine: RequestStamp | undefined): RequestStamp | undefined {
  if (!mine) return undefined;
  const candidates = [holderRequest(lease), nextRequest(lease)].filter((r): r is RequestStamp => !!r && compareRequests(r, mine) > 0);
  return candidates.sort(compareRequests).at(-1);
}

export type LeaseAssessment =
  | { kind: 'free' }
  | { kind: 'mine' }
  | { kind: 'expired'; holder: string }
  | { kind: 'lost-to'; newer: RequestStamp; holds: boolean }
  | { kind: 'busy'; holder: string; markAsNext: boolean };

/** What a claimant does about the Lease as read (undefined: it does not exist). */
export function assessLease(lease: LeaseObject | undefined, claimant: LeaseClaimant, now: number): LeaseAssessment {
  if (!lease) return { kind: 'free' };
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === claimant.holder) return { kind: 'mine' };
  const newer = newerRequest(lease, claimant.request);
  if (newer) return { kind: 'lost-to', newer, holds: newer.requestId === holderRequest(lease)?.requestId };
  if (leaseExpired(lease, now)) return { kind: 'expired', holder };
  const next = nextRequest(lease);
  const markAsNext = !!claimant.request && (!next || compareRequests(claimant.request, next) > 0);
  return { kind: 'busy', holder, markAsNext };
}

const ownAnnotations = (request: RequestStamp | undefined): Record<string, string> =>
  request
    ? {
        [LeaseAnnotations.requestId]: request.requestId,
        [LeaseAnnotations.requestedAt]: request.requestedAt,
        ...(request.buildId ? { [LeaseAnnotations.buildId]: request.buildId } : {}),
      }
    : {};

const without = (annotations: Record<string, string> | undefined, keys: string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => !keys.includes(key)));

const HOLDER_KEYS = [LeaseAnnotations.requestId, LeaseAnnotations.requestedAt, LeaseAnnotations.buildId];
const NEXT_KEYS = [LeaseAnnotations.nextRequestId, LeaseAnnotations.nextRequestedAt, LeaseAnnotations.nextBuildId];

/**
 * The Lease as `claimant` holds it: created from nothing, or taken over from `previous`
 * (expired, or its own). A waiting mark of a newer request stays; its own mark goes.
 */
export function claimedLease(
  previous: LeaseObject | undefined,
  ref: ObjectRef,
  claimant: LeaseClaimant,
  now: number,
  durationSeconds: number,
): LeaseObject {
  const next = previous && nextRequest(previous);
  const keepNext = next && claimant.request && compareRequests(next, claimant.request) > 0;
  const annotations = {
    ...without(previous?.metadata.annotations, [...HOLDER_KEYS, ...(keepNext ? [] : NEXT_KEYS)]),
    ...ownAnnotations(claimant.request),
  };
  const transitions = (previous?.spec?.leaseTransitions ?? 0) + (previous && previous.spec?.holderIdentity !== claimant.holder ? 1 : 0);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(previous?.metadata ?? {}),
      name: ref.name,
      namespace: ref.namespace,
      labels: { ...(previous?.metadata.labels ?? {}), [LabelKeys.managedBy]: MANAGED_BY },
      annotations,
    },
    spec: {
      holderIdentity: claimant.holder,
      leaseDurationSeconds: durationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: transitions,
    },
  };
}

/** The same Lease, renewed now. */
export const renewedLease = (lease: LeaseObject, now: number): LeaseObject => ({
  ...lease,
  spec: { ...lease.spec, renewTime: microTime(now) },
});

/** The annotations that mark `request` as the newest one waiting, as a merge patch (null: removed). */
export const nextMark = (request: RequestStamp): Record<string, string | null> => ({
  [LeaseAnnotations.nextRequestId]: request.requestId,
  [LeaseAnnotations.nextRequestedAt]: request.requestedAt,
  [LeaseAnnotations.nextBuildId]: request.buildId ?? null,
});

/** The Lease with `request` marked as the newest one waiting (what `nextMark` patched onto it gives). */
export const markedAsNext = (lease: LeaseObject, request: RequestStamp): LeaseObject => ({
  ...lease,
  metadata: {
    ...lease.metadata,
    annotations: {
      ...without(lease.metadata.annotations, NEXT_KEYS),
      ...Object.fromEntries(Object.entries(nextMark(request)).filter((entry): entry is [string, string] => entry[1] !== null)),
    },
  },
});
