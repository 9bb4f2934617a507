import { afterEach, describe, expect, it } from '@jest/globals';
import { ManualClock, until } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import { HeldLease, LeaseLost, LostToNewerRequest } from './held-lease';
import { LeaseObject, leaseRef } from './workload-lease';
import { LeaseWaitExpired, WorkloadLocks } from './workload-locks';

RecordingLogger.install();

const NS = 'default';
const ref = leaseRef(NS, 'shop-branch-main--64a0c36e02');
const older = { requestId: 'b-7:preview', requestedAt: '2026-11-26T09:59:00.000Z', buildId: 'b-7' };
const newer = { requestId: 'b-8:preview', requestedAt: '2026-11-26T09:59:30.000Z', buildId: 'b-8' };
/** Renewal only when a holder verifies: what the lease says at each step is the test's doing. */
const SETTINGS = { durationSeconds: 15, renewIntervalMs: 60_000, retryIntervalMs: 1 };
const running = () => new AbortController().signal;

const held: HeldLease[] = [];
afterEach(async () => {
  while (held.length) await held.pop()!.release();
});

function replica(cluster: InMemoryCluster, clock: ManualClock) {
  const locks = new WorkloadLocks(cluster, SETTINGS, clock.now);
  return (holder: string, request?: typeof older, until = clock.now() + 60_000) =>
    locks.acquire(ref, { holder, request }, until, running()).then((lease) => (held.push(lease), lease));
}

const stored = (cluster: InMemoryCluster): LeaseObject | undefined => cluster.get('Lease', NS, ref.name);

describe('WorkloadLocks and HeldLease', () => {
  it('takes a free workload: a Lease with the holder, its duration and the request it works for; released, it is gone', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const lease = await replica(cluster, clock)('deployer-a/b-7:preview', older);
    expect(stored(cluster)).toMatchObject({
      metadata: { annotations: { 'deploybot.dev/request-id': 'b-7:preview', 'deploybot.dev/build-id': 'b-7' } },
      spec: { holderIdentity: 'deployer-a/b-7:preview', leaseDurationSeconds: 15, renewTime: clock.microTime() },
    });
    expect(cluster.calls({ kind: 'Lease' }).map((c) => c.verb)).toEqual(['create']); // one call when nobody holds it
    clock.advance(5_000);
    await lease.verify();
    expect(stored(cluster)?.spec?.renewTime).toBe(clock.microTime());
    await lease.release();
    expect(stored(cluster)).toBeUndefined();
  });

  it('waits while another holds the workload, and takes it once it is given back', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    const deployment = await acquire('deployer-a/b-7:preview', older);
    const teardown = acquire('deployer-b/b-7:teardown:1');
    await until(() => cluster.calls({ verb: 'read', kind: 'Lease' }).length >= 3, 'the teardown to wait');
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-a/b-7:preview');

    await deployment.release();
    await teardown;
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-b/b-7:teardown:1');
  });

  it('takes over a lease its holder stopped renewing, once it expired and not before, counting the transition', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    await cluster.create({
      ...ref,
      metadata: { name: ref.name, namespace: NS },
      spec: { holderIdentity: 'deployer-stopped/b-0:teardown:1', leaseDurationSeconds: 15, renewTime: clock.microTime(-10_000) },
    });
    const taking = replica(cluster, clock)('deployer-a/b-7:preview', older);
    await until(() => cluster.calls({ verb: 'read', kind: 'Lease' }).length >= 3, 'the waiter to look a few times');
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-stopped/b-0:teardown:1');

    clock.advance(5_000);
    await taking;
    expect(stored(cluster)?.spec).toMatchObject({ holderIdentity: 'deployer-a/b-7:preview', leaseTransitions: 1 });
    // the test's create, and the claimant's first try refused (409): the takeover replaced it
    expect(cluster.calls({ verb: 'create', kind: 'Lease' }).filter((c) => !c.error)).toHaveLength(1);
  });

  it('takes the workload, and does not bring the lease back, when its holder releases it just as a later request marks itself next', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    const first = await acquire('deployer-a/b-7:preview', older);
    // The later request has read the lease (held by a) and is marking itself as next…
    const mark = cluster.stallNext({ verb: 'patch', kind: 'Lease' });
    const second = acquire('deployer-b/b-8:preview', newer);
    await mark.reached;
    // …when the holder finishes and releases it.
    await first.release();
    expect(stored(cluster)).toBeUndefined();
    mark.release();

    await second;
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-b/b-8:preview');
  });

  it('gives up waiting at its deadline', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    await acquire('deployer-a/b-7:preview', older);
    await expect(acquire('deployer-b/b-7:teardown:1', undefined, clock.now())).rejects.toEqual(
      new LeaseWaitExpired(ref, 'deployer-a/b-7:preview'),
    );
  });

  it('makes the holder give up to a later request that waits, which takes the workload next', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    const first = await acquire('deployer-a/b-7:preview', older);
    const next = acquire('deployer-b/b-8:preview', newer);
    await until(
      () => stored(cluster)?.metadata.annotations?.['deploybot.dev/next-request-id'] === 'b-8:preview',
      'the later request to mark itself',
    );

    await expect(first.verify()).rejects.toEqual(new LostToNewerRequest(newer, false));
    expect(first.signal.aborted).toBe(true);
    await first.release();
    await next;
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-b/b-8:preview');
  });

  it('loses at once to a later request that holds the workload', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    await acquire('deployer-b/b-8:preview', newer);
    await expect(acquire('deployer-a/b-7:preview', older)).rejects.toEqual(new LostToNewerRequest(newer, true));
  });

  it("tells a holder that was paused past its lease, and taken over meanwhile, that it may not act; its release leaves the new holder's lease", async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    const paused = await acquire('deployer-a/b-7:preview', older);
    clock.advance(20_000);
    await acquire('deployer-b/b-7:preview', older);

    await expect(paused.verify()).rejects.toBeInstanceOf(LeaseLost);
    await paused.release();
    expect(stored(cluster)?.spec?.holderIdentity).toBe('deployer-b/b-7:preview');
  });

  it('tells a holder paused past its lease, whose successor took it over and already released it, that it may not act — and does not bring the lease back', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const acquire = replica(cluster, clock);
    const paused = await acquire('deployer-a/b-7:preview', older);
    clock.advance(20_000);
    const successor = await acquire('deployer-b/b-7:preview', older);
    await successor.release();

    await expect(paused.verify()).rejects.toThrow(/^lost the lease .*: it was deleted/);
    expect(stored(cluster)).toBeUndefined();
  });

  it('loses a lease it could not renew for a whole lease duration', async () => {
    const cluster = new InMemoryCluster();
    const clock = new ManualClock();
    const lease = await replica(cluster, clock)('deployer-a/b-7:preview', older);
    cluster.failNext({ verb: 'patch', kind: 'Lease' }, 503);
    clock.advance(16_000);
    await expect(lease.verify()).rejects.toThrow(
      /^lost the lease default\/deploybot-shop-branch-main--64a0c36e02: not renewed for 16 s \(the Kubernetes API at .* failed: 503/,
    );
  });
});
