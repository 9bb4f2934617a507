import { beforeEach, describe, expect, it } from '@jest/globals';
import { manifestsOf, order, T0 } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import type { DeploymentOrder } from '../manifests/deployment-order';
import type { ClusterObject, ObjectList, ObjectScope } from '../kubernetes/cluster.port';
import { selectorLabels, toLabelSelector } from '../manifests/workload-labels';
import { RolloutTarget, RolloutWatcher, type RolloutWatcherOptions } from './rollout.watcher';

const logs = RecordingLogger.install();

const NS = 'default';
const IMAGE = 'registry.example.org/shop:7';
const LOCAL_ID = `sha256:${'e'.repeat(64)}`;
const running = () => new AbortController().signal;

/**
 * Time that passes only while the watcher sleeps. `auto`: a sleep ends at once (once pending
 * events are delivered), the clock moved on by its length; otherwise it ends when a test
 * `advance`s the clock past it. An event that wakes the watcher first ends it early, time unmoved.
 */
class VirtualClock {
  private t = T0;
  private sleepers: { at: number; wake: () => void }[] = [];
  private parked: (() => void) | undefined;

  constructor(private readonly auto = true) {}

  readonly now = (): number => this.t;

  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const sleeper = {
        at: this.t + ms,
        wake: () => {
          signal.removeEventListener('abort', aborted);
          resolve();
        },
      };
      const aborted = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      };
      signal.addEventListener('abort', aborted, { once: true });
      this.sleepers.push(sleeper);
      this.parked?.();
      if (this.auto) setImmediate(() => this.wakeUp(sleeper, sleeper.at));
    });

  /** Resolves once the watcher sleeps (waits for a change or a time), after what was under way (events, calls) has run. */
  async asleep(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.sleepers.length) return;
    await new Promise<void>((resolve) => (this.parked = resolve));
  }

  /** Moves the clock on by `ms`, waking whoever sleeps until then. */
  async advance(ms: number): Promise<void> {
    const to = this.t + ms;
    for (const sleeper of [...this.sleepers].sort((a, b) => a.at - b.at)) if (sleeper.at <= to) this.wakeUp(sleeper, sleeper.at);
    this.t = to;
    await new Promise((r) => setImmediate(r));
  }

  private wakeUp(sleeper: { at: number; wake: () => void }, at: number): void {
    if (!this.sleepers.includes(sleeper)) return;
    this.sleepers = this.sleepers.filter((s) => s !== sleeper);
    this.t = Math.max(this.t, at);
    sleeper.wake();
  }
}

/** The request's Deployment applied, and what the watcher is told to follow (deadline a minute after T0 unless said otherwise). */
async function rolledOut(cluster: InMemoryCluster, o: DeploymentOrder, deadline = T0 + 60_000): Promise<RolloutTarget> {
  const { deployment, name } = manifestsOf(o);
  await cluster.apply(deployment);
  return {
    namespace: NS,
    name,
    buildId: o.buildId,
    requestId: o.requestId,
    podSelector: toLabelSelector(selectorLabels(name)),
    requestedAt: T0,
    deadline,
  };
}

const watcher = (cluster: InMemoryCluster, clock: VirtualClock, options: Partial<RolloutWatcherOptions> = {}) =>
  new RolloutWatcher(cluster, {
    pollIntervalMs: 1_000,
    policy: { failFastMs: 10_000 },
    now: clock.now,
    sleep: clock.sleep,
    watch: { backoffBaseMs: 100, backoffMaxMs: 1_000 },
    ...options,
  });

const request = (image = IMAGE, buildId = 'b-7') => order({ buildId, target: 'main', image, requestedAt: T0 });

/** Pods the kubelet holds not ready (image behaviour `never-ready`) become ready, one after another. */
function makeReady(cluster: InMemoryCluster, name: string, count = Infinity): void {
  for (const pod of cluster.podsOf(NS, name).slice(0, count)) {
    cluster.writeStatus(pod, {
      ...pod.status,
      conditions: pod.status.conditions.map((c: { type: string }) =>
        c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'True' } : c,
      ),
      containerStatuses: pod.status.containerStatuses.map((c: object) => ({ ...c, ready: true })),
    });
  }
}

/** Once the watcher, having listed, waits with both watches open. */
async function watchesOpen(cluster: InMemoryCluster, clock: VirtualClock): Promise<void> {
  await clock.asleep();
  for (let i = 0; i < 10 && cluster.openWatches() < 2; i++) await new Promise((r) => setImmediate(r));
  expect(cluster.openWatches()).toBe(2);
}

/** What the watcher asked the cluster for, by verb and kind. */
const asked = (cluster: InMemoryCluster) => ({
  listDeployments: cluster.calls({ verb: 'list', kind: 'Deployment' }).length,
  listPods: cluster.calls({ verb: 'list', kind: 'Pod' }).length,
  readDeployments: cluster.calls({ verb: 'read', kind: 'Deployment' }).length,
  watches: cluster.calls({ verb: 'watch' }).length,
});

beforeEach(() => logs.clear());

describe('RolloutWatcher: the verdicts', () => {
  it("succeeds once the Deployment runs the request's template on ready pods, with the digest they run", async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    const digest = cluster.registry.digestOf(IMAGE);
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toEqual({
      status: 'succeeded',
      image: { status: 'known', image: { digest, imageId: `registry.example.org/shop@${digest}` } },
    });
  });

  it('succeeds without a digest when the ready pods report none (an image built on the node)', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    for (const pod of cluster.podsOf(NS, target.name)) {
      cluster.writeStatus(pod, {
        ...pod.status,
        containerStatuses: pod.status.containerStatuses.map((c: object) => ({ ...c, imageID: LOCAL_ID })),
      });
    }
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toMatchObject({
      status: 'succeeded',
      image: { status: 'unknown' },
    });
  });

  it('reads the pods again when their list predates the Deployment that counted them available, and reports the digest they run', async () => {
    /** The first pod list answers as the API server did a moment before: the pods not ready yet. */
    class EarlyPodList extends InMemoryCluster {
      private early = true;
      override async listObjects<T extends ClusterObject>(scope: ObjectScope): Promise<ObjectList<T>> {
        const list = await super.listObjects<T>(scope);
        if (scope.kind !== 'Pod' || !this.early) return list;
        this.early = false;
        const notReady = (c: { type: string }) => (c.type === 'Ready' ? { ...c, status: 'False' } : c);
        const items = list.items.map((p: any) => ({ ...p, status: { ...p.status, conditions: p.status.conditions.map(notReady) } }));
        return { ...list, items };
      }
    }
    const cluster = new EarlyPodList();
    const target = await rolledOut(cluster, request());
    const digest = cluster.registry.digestOf(IMAGE);
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toEqual({
      status: 'succeeded',
      image: { status: 'known', image: { digest, imageId: `registry.example.org/shop@${digest}` } },
    });
    expect(asked(cluster)).toMatchObject({ listPods: 2, readDeployments: 1 }); // the first list, and the read after the verdict
  });

  it('fails a pod that keeps failing to pull its image for the fail-fast time, and not before', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock();
    const target = await rolledOut(cluster, request('registry.example.org/shop:does-not-exist'));
    const outcome = await watcher(cluster, clock).watch(target, running());
    expect(outcome).toEqual({
      status: 'failed',
      reason: expect.stringMatching(
        /^ImagePullBackOff: Back-off pulling image "registry\.example\.org\/shop:does-not-exist" \(pod shop-branch-main--\S+, container app\)$/,
      ),
    });
    // Woken by the fail-fast time itself, not by a poll: exactly 10 s after it was first seen failing.
    expect(clock.now()).toBe(T0 + 10_000);
  });

  it('fails a crashing container with its last exit code', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request('registry.example.org/shop:crash'));
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toEqual({
      status: 'failed',
      reason: expect.stringMatching(
        /^CrashLoopBackOff: back-off 10s restarting failed container=app .*\(pod \S+, container app, last exit code 1\)$/,
      ),
    });
  });

  it('fails when Kubernetes gives the rollout up (ProgressDeadlineExceeded)', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    cluster.exceedProgressDeadline(NS, target.name);
    expect(await watching).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^ProgressDeadlineExceeded: ReplicaSet "shop-branch-main--\S+" has timed out progressing\.$/),
    });
  });

  it("fails at the request's deadline, saying how long it waited and for what", async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request(), T0 + 10_000);
    expect(await watcher(cluster, clock).watch(target, running())).toEqual({
      status: 'failed',
      reason: 'RolloutTimeout: not finished after 10 s (0 of 2 updated replicas are available)',
    });
    expect(clock.now()).toBe(T0 + 10_000);
  });

  it("says which request replaced this one's template, and when that one was made", async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    const newer = order({ buildId: 'b-8', target: 'main', image: 'registry.example.org/shop:8', requestedAt: T0 + 1_000 });
    await cluster.apply(manifestsOf(newer).deployment);
    expect(await watching).toEqual({
      status: 'replaced',
      buildId: 'b-8',
      requestId: 'b-8:preview',
      requestedAt: newer.requestedAt,
    });
  });

  it('fails when the Deployment is deleted under it', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    await cluster.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: target.name });
    expect(await watching).toEqual({
      status: 'failed',
      reason: 'the Deployment was deleted while it was rolling out',
    });
  });

  it('rides out an API blip: a look is lost, not the rollout', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    cluster.failNext({ verb: 'list', kind: 'Deployment' }, 503);
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toMatchObject({ status: 'succeeded' });
    expect(cluster.calls({ verb: 'list', kind: 'Deployment' })).toHaveLength(2);
  });

  it('rides out an API blip of the read that confirms a verdict', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    cluster.failNext({ verb: 'read', kind: 'Deployment' }, 503);
    makeReady(cluster, target.name);
    await clock.asleep();
    await clock.advance(1_000);
    expect(await watching).toMatchObject({ status: 'succeeded' });
    expect(cluster.calls({ verb: 'read', kind: 'Deployment' })).toHaveLength(2);
  });

  it("fails with the API's reason when it cannot look until the deadline", async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request(), T0 + 10_000);
    cluster.setUnavailable(true);
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toEqual({
      status: 'failed',
      reason: `cannot reach the cluster at ${cluster.server} (ECONNREFUSED)`,
    });
  });

  it('throws what looking again cannot fix (a missing permission)', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    cluster.failNext({ verb: 'list', kind: 'Pod' }, 403);
    await expect(watcher(cluster, new VirtualClock()).watch(target, running())).rejects.toMatchObject({
      status: 403,
      reason: expect.stringMatching(/^Forbidden: the deployer may not list pods in namespace default: /),
    });
  });

  it("stops with the reason of its signal while a call hangs (the shutdown's Interrupted, a lost lease)", async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const stop = new AbortController();
    const look = cluster.stallNext({ verb: 'list' });
    const watching = watcher(cluster, new VirtualClock()).watch(target, stop.signal);
    await look.reached;
    stop.abort(new Error('lost the lease'));
    await expect(watching).rejects.toThrow('lost the lease');
    look.release();
  });

  it('stops with the reason of its signal while it waits for events, and closes its watches', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const stop = new AbortController();
    const watching = watcher(cluster, clock).watch(target, stop.signal);
    await watchesOpen(cluster, clock);
    stop.abort(new Error('Interrupted'));
    await expect(watching).rejects.toThrow('Interrupted');
    expect(cluster.openWatches()).toBe(0);
  });
});

describe('RolloutWatcher: by watch', () => {
  it('settles a rollout its first lists settle with those two lists, and opens no watch', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    cluster.clearCalls();
    expect(await watcher(cluster, new VirtualClock()).watch(target, running())).toMatchObject({ status: 'succeeded' });
    expect(cluster.calls({ verb: 'list', kind: 'Deployment' })[0]).toMatchObject({ name: target.name });
    expect(cluster.calls({ verb: 'list', kind: 'Pod' })[0]).toMatchObject({ labelSelector: target.podSelector });
    expect(asked(cluster)).toEqual({ listDeployments: 1, listPods: 1, readDeployments: 0, watches: 0 });
  });

  it('watches the Deployment and its pods from the lists, and confirms the verdict of the events with one read', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.clearCalls();
    const watching = watcher(cluster, clock).watch(target, running());
    await watchesOpen(cluster, clock);
    const [list] = cluster.calls({ verb: 'list', kind: 'Deployment' });
    expect(cluster.calls({ verb: 'watch' })).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: target.name }),
      expect.objectContaining({ kind: 'Pod', labelSelector: target.podSelector }),
    ]);
    expect(list).toBeDefined();
    makeReady(cluster, target.name);
    expect(await watching).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
    expect(asked(cluster)).toEqual({ listDeployments: 1, listPods: 2, readDeployments: 1, watches: 2 });
  });

  it('follows a slow rollout to its end by events alone: the requests do not grow with its length', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.clearCalls();
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    await clock.advance(20_000);
    makeReady(cluster, target.name, 1);
    await clock.advance(20_000);
    makeReady(cluster, target.name);
    expect(await watching).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
    expect(clock.now()).toBe(T0 + 40_000);
    expect(asked(cluster)).toEqual({ listDeployments: 1, listPods: 2, readDeployments: 1, watches: 2 });
  });

  it('lists again after a 410 Gone mid-rollout, and goes on from the new list', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.clearCalls();
    const watching = watcher(cluster, clock).watch(target, running());
    await watchesOpen(cluster, clock);
    cluster.compact();
    expect(cluster.expireWatches()).toBe(2);
    await watchesOpen(cluster, clock);
    makeReady(cluster, target.name);
    expect(await watching).toMatchObject({ status: 'succeeded' });
    expect(asked(cluster)).toEqual({ listDeployments: 2, listPods: 3, readDeployments: 1, watches: 4 });
  });

  it('watches again from where it was after a dropped connection, missing nothing and listing nothing', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.clearCalls();
    const watching = watcher(cluster, clock).watch(target, running());
    await watchesOpen(cluster, clock);
    const [, podsWatch] = cluster.calls({ verb: 'watch' });
    expect(cluster.cutWatches()).toBe(2);
    makeReady(cluster, target.name); // while no watch is open: replayed by the next one
    expect(await watching).toMatchObject({ status: 'succeeded' });
    const rewatch = cluster.calls({ verb: 'watch', kind: 'Pod' })[1];
    expect(rewatch.resourceVersion).toBe(podsWatch.resourceVersion);
    expect(asked(cluster)).toEqual({ listDeployments: 1, listPods: 2, readDeployments: 1, watches: 4 });
  });

  it('resumes from the resourceVersion of the last bookmark when the server ends a quiet watch', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    await cluster.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'elsewhere', namespace: NS }, spec: { ports: [] } });
    cluster.sendBookmarks();
    const bookmark = cluster.get('Service', NS, 'elsewhere').metadata.resourceVersion;
    await clock.advance(30_000);
    cluster.closeWatches();
    await clock.asleep();
    await clock.advance(0);
    expect(cluster.calls({ verb: 'watch' }).slice(2)).toEqual([
      expect.objectContaining({ kind: 'Deployment', resourceVersion: bookmark }),
      expect.objectContaining({ kind: 'Pod', resourceVersion: bookmark }),
    ]);
    makeReady(cluster, target.name);
    expect(await watching).toMatchObject({ status: 'succeeded' });
  });

  it('never waits for a watch that is slow to open: the other stream and the confirming read finish the rollout', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const opening = cluster.stallNext({ verb: 'watch', kind: 'Pod' });
    const watching = watcher(cluster, clock).watch(target, running());
    await opening.reached;
    makeReady(cluster, target.name);
    expect(await watching).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
    opening.release();
    await new Promise((r) => setImmediate(r));
    expect(cluster.openWatches()).toBe(0); // opened after the rollout ended: closed at once
  });

  it('does not report success on the events alone: the read that confirms it must agree', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock(false);
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const watching = watcher(cluster, clock).watch(target, running());
    await clock.asleep();
    // The confirming read sees the Deployment gone (a watch event not yet seen): not a success.
    const read = cluster.stallNext({ verb: 'read', kind: 'Deployment' });
    makeReady(cluster, target.name);
    await read.reached;
    await cluster.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: target.name });
    read.release();
    expect(await watching).toEqual({ status: 'failed', reason: 'the Deployment was deleted while it was rolling out' });
  });
});

describe('RolloutWatcher: reads where no watch can be had', () => {
  it('reads every interval where the namespace refuses watches, says so once, and skips the watch for the next rollout', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock();
    cluster.failNext({ verb: 'watch' }, 403, 100);
    const follow = watcher(cluster, clock, { pollIntervalMs: 4_000 });
    const target = await rolledOut(cluster, request('registry.example.org/shop:does-not-exist'));
    cluster.clearCalls();
    expect(await follow.watch(target, running())).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^ImagePullBackOff: /) });
    // Seen failing at 0, 4 and 8 s by reads; given up at 12 s.
    expect(cluster.calls({ verb: 'read', kind: 'Deployment' })).toHaveLength(4);
    expect(logs.messages('warn')).toEqual([
      'the namespace refuses watches; reading its rollouts every 4 s instead, and trying a watch again in 10 min',
    ]);

    cluster.clearCalls();
    const next = await rolledOut(cluster, request(IMAGE, 'b-8'));
    expect(await follow.watch(next, running())).toMatchObject({ status: 'succeeded' });
    expect(asked(cluster)).toMatchObject({ listDeployments: 0, watches: 0, readDeployments: 1 });
    expect(logs.messages('warn')).toHaveLength(1);
  });

  it('tries a watch again once the refusal is old', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    cluster.failNext({ verb: 'watch' }, 403, 2);
    const follow = watcher(cluster, clock, { readOnlyForMs: 60_000 });
    await follow.watch(await rolledOut(cluster, request(), clock.now() + 5_000), running());
    await clock.advance(60_000);
    cluster.clearCalls();
    await follow.watch(await rolledOut(cluster, request(IMAGE, 'b-8'), clock.now() + 5_000), running());
    expect(asked(cluster).watches).toBe(2);
  });

  it('gives the watch up after it failed again and again, reads instead, and watches again 30 s later', async () => {
    const cluster = new InMemoryCluster();
    const clock = new VirtualClock();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.failNext({ verb: 'watch', kind: 'Pod' }, 503, 6);
    const watching = watcher(cluster, clock).watch(target, running());
    expect(await watching).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^RolloutTimeout: /) });
    expect(cluster.calls({ verb: 'watch', kind: 'Pod' }).map((c) => c.error === undefined)).toEqual([...Array(6).fill(false), true]);
    expect(logs.messages('warn')).toEqual(['cannot keep a watch on the rollout; reading it every 1 s instead, and watching again in 30 s']);
    expect(logs.messages('log')).toEqual(['watching the rollout again']);
    // Read every second for 30 s, then watched to the deadline: one read to confirm the timeout.
    const reads = cluster.calls({ verb: 'read', kind: 'Deployment' }).length;
    expect(reads).toBeGreaterThanOrEqual(30);
    expect(reads).toBeLessThanOrEqual(33);
  });
});
