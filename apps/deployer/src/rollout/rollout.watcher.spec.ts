import { describe, expect, it } from '@jest/globals';
import { manifestsOf, order, SteppingClock, T0 } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { selectorLabels, toLabelSelector } from '../manifests/workload-labels';
import { RolloutTarget, RolloutWatcher } from './rollout.watcher';

RecordingLogger.install();

const NS = 'default';
const IMAGE = 'registry.example.org/shop:7';
const LOCAL_ID = `sha256:${'e'.repeat(64)}`;
const running = () => new AbortController().signal;

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

/** A watcher that looks every millisecond and sees `stepMs` pass between two looks. */
const watcher = (cluster: InMemoryCluster, stepMs = 1_000, failFastMs = 10_000) =>
  new RolloutWatcher(cluster, { pollIntervalMs: 1, policy: { failFastMs }, now: new SteppingClock(stepMs).now });

const request = (image = IMAGE, buildId = 'b-7') => order({ buildId, target: 'main', image, requestedAt: T0 });

describe('RolloutWatcher', () => {
  it("succeeds once the Deployment runs the request's template on ready pods, with the digest they run", async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    const digest = cluster.registry.digestOf(IMAGE);
    expect(await watcher(cluster).watch(target, running())).toEqual({
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
    expect(await watcher(cluster).watch(target, running())).toMatchObject({ status: 'succeeded', image: { status: 'unknown' } });
  });

  it('fails a pod that keeps failing to pull its image for the fail-fast time, and not before', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request('registry.example.org/shop:does-not-exist'));
    const outcome = await watcher(cluster, 4_000, 10_000).watch(target, running());
    expect(outcome).toEqual({
      status: 'failed',
      reason: expect.stringMatching(
        /^ImagePullBackOff: Back-off pulling image "registry\.example\.org\/shop:does-not-exist" \(pod shop-branch-main--\S+, container app\)$/,
      ),
    });
    // Seen failing at 0, 4 and 8 s; given up at 12 s.
    expect(cluster.calls({ verb: 'list' })).toHaveLength(4);
  });

  it('fails a crashing container with its last exit code', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request('registry.example.org/shop:crash'));
    expect(await watcher(cluster, 10_000).watch(target, running())).toEqual({
      status: 'failed',
      reason: expect.stringMatching(
        /^CrashLoopBackOff: back-off 10s restarting failed container=app .*\(pod \S+, container app, last exit code 1\)$/,
      ),
    });
  });

  it('fails when Kubernetes gives the rollout up (ProgressDeadlineExceeded)', async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    cluster.exceedProgressDeadline(NS, target.name);
    expect(await watcher(cluster).watch(target, running())).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^ProgressDeadlineExceeded: ReplicaSet "shop-branch-main--\S+" has timed out progressing\.$/),
    });
  });

  it("fails at the request's deadline, saying how long it waited and for what", async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request(), T0 + 10_000);
    expect(await watcher(cluster, 5_000).watch(target, running())).toEqual({
      status: 'failed',
      reason: 'RolloutTimeout: not finished after 10 s (0 of 2 updated replicas are available)',
    });
    expect(cluster.calls({ verb: 'list' })).toHaveLength(3);
  });

  it("says which request replaced this one's template, and when that one was made", async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    const newer = order({ buildId: 'b-8', target: 'main', image: 'registry.example.org/shop:8', requestedAt: T0 + 1_000 });
    await cluster.apply(manifestsOf(newer).deployment);
    expect(await watcher(cluster).watch(target, running())).toEqual({
      status: 'replaced',
      buildId: 'b-8',
      requestId: 'b-8:preview',
      requestedAt: newer.requestedAt,
    });
  });

  it('fails when the Deployment is deleted under it', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    await cluster.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: target.name });
    expect(await watcher(cluster).watch(target, running())).toEqual({
      status: 'failed',
      reason: 'the Deployment was deleted while it was rolling out',
    });
  });

  it('rides out an API blip: a look is lost, not the rollout', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    cluster.failNext({ verb: 'read', kind: 'Deployment' }, 503);
    expect(await watcher(cluster).watch(target, running())).toMatchObject({ status: 'succeeded' });
    expect(cluster.calls({ verb: 'read', kind: 'Deployment' })).toHaveLength(2);
  });

  it("fails with the API's reason when it cannot look until the deadline", async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request(), T0 + 10_000);
    cluster.setUnavailable(true);
    expect(await watcher(cluster, 5_000).watch(target, running())).toEqual({
      status: 'failed',
      reason: `cannot reach the cluster at ${cluster.server} (ECONNREFUSED)`,
    });
  });

  it('throws what looking again cannot fix (a missing permission)', async () => {
    const cluster = new InMemoryCluster();
    const target = await rolledOut(cluster, request());
    cluster.failNext({ verb: 'list' }, 403);
    await expect(watcher(cluster).watch(target, running())).rejects.toMatchObject({
      status: 403,
      reason: expect.stringMatching(/^Forbidden: the deployer may not list pods in namespace default: /),
    });
  });

  it("stops with the reason of its signal (the shutdown's Interrupted, a lost lease)", async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(IMAGE, 'never-ready');
    const target = await rolledOut(cluster, request());
    const stop = new AbortController();
    const look = cluster.stallNext({ verb: 'list' });
    const watching = watcher(cluster).watch(target, stop.signal);
    await look.reached;
    stop.abort(new Error('lost the lease'));
    look.release();
    await expect(watching).rejects.toThrow('lost the lease');
  });
});
