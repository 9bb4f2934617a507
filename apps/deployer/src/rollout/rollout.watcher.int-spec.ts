import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { startKubernetesFake, type KubernetesFake, type RecordedRequest } from '../../../../test/fakes/kubernetes';
import { manifestsOf, order } from '../../test/deployer-fixtures';
import { eventually, kubeconfigFor } from '../../test/deployer-test-support';
import { RecordingLogger } from '../../test/recording-logger';
import { loadKubeConfig } from '../kubernetes/kube-config';
import { KubernetesClusterAdapter } from '../kubernetes/kubernetes-cluster.adapter';
import { selectorLabels, toLabelSelector } from '../manifests/workload-labels';
import { RolloutTarget, RolloutWatcher } from './rollout.watcher';

jest.setTimeout(30_000);
const logs = RecordingLogger.install();

/*
 * The rollout watcher with the real client-node against the HTTP Kubernetes fake: a rollout
 * followed by watch, a 410 Gone and a dropped connection mid-rollout, and the reads it falls
 * back to where the namespace refuses watches.
 */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  logs.clear();
});

const IMAGE = 'registry.example.org/shop:watched';

async function environment(podReadyAfterMs: number, options: { rewatchAfterMs?: number } = {}) {
  const fake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs });
  cleanups.push(() => fake.stop());
  const kubeconfig = kubeconfigFor(fake);
  cleanups.push(() => kubeconfig.remove());
  const cluster = new KubernetesClusterAdapter(loadKubeConfig(kubeconfig.path), {
    timeoutMs: 2_000,
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
  });
  const watcher = new RolloutWatcher(cluster, {
    pollIntervalMs: 200,
    policy: { failFastMs: 10_000 },
    watch: { backoffBaseMs: 50, backoffMaxMs: 200 },
    ...options,
  });
  /** Applies a request's Deployment and says what to follow (a 20 s deadline). */
  const rollOut = async (buildId: string): Promise<RolloutTarget> => {
    const o = order({ buildId, target: buildId, image: IMAGE });
    const { deployment, name } = manifestsOf(o);
    await cluster.apply(deployment);
    return {
      namespace: 'default',
      name,
      buildId,
      requestId: o.requestId,
      podSelector: toLabelSelector(selectorLabels(name)),
      requestedAt: Date.parse(o.requestedAt),
      deadline: Date.now() + 20_000,
    };
  };
  return { fake, cluster, watcher, rollOut };
}

/** The GETs that read state (a get or a list of Deployments or pods), not watches. */
const reads = (fake: KubernetesFake): RecordedRequest[] =>
  fake.requests().filter((r) => r.method === 'GET' && /\/(deployments|pods)(\/|$)/.test(r.path) && r.query.watch !== 'true');
const watches = (fake: KubernetesFake): RecordedRequest[] => fake.requests().filter((r) => r.method === 'GET' && r.query.watch === 'true');

describe('RolloutWatcher over client-node and the Kubernetes API fake', () => {
  it('follows a rollout to its end by watch: the reads it makes are few and do not grow with how long it takes', async () => {
    const readsOf = async (podReadyAfterMs: number) => {
      const { fake, watcher, rollOut } = await environment(podReadyAfterMs);
      const target = await rollOut(`b-${podReadyAfterMs}`);
      fake.clearRequests();
      const started = Date.now();
      expect(await watcher.watch(target, new AbortController().signal)).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
      const took = Date.now() - started;
      // Its watches end with it.
      await eventually(() => fake.openWatches() === 0 || undefined, 5_000, 'the watches to close');
      return { took, reads: reads(fake).length, watches: watches(fake).length };
    };
    const quick = await readsOf(800);
    const slow = await readsOf(3_000);
    expect(slow.took).toBeGreaterThan(2_500);
    // A list of the Deployment and of its pods, then a read of each to confirm the success.
    expect(quick.reads).toBe(4);
    expect(slow.reads).toBe(quick.reads);
    expect(slow.watches).toBe(2);
  });

  it('lists again after a 410 Gone mid-rollout and finishes', async () => {
    const { fake, watcher, rollOut } = await environment(1_500);
    const target = await rollOut('b-gone');
    fake.clearRequests();
    const watching = watcher.watch(target, new AbortController().signal);
    await eventually(() => fake.openWatches() === 2 || undefined, 5_000, 'two watches');
    fake.compact();
    expect(fake.expireWatches()).toBe(2);
    expect(await watching).toMatchObject({ status: 'succeeded' });
    const lists = reads(fake).filter((r) => !/\/(deployments|pods)\/[^/]+$/.test(r.path));
    expect(lists.filter((r) => r.path.endsWith('/deployments'))).toHaveLength(2);
    expect(watches(fake)).toHaveLength(4);
  });

  it('watches again from where it was after the connections drop, without listing again', async () => {
    const { fake, watcher, rollOut } = await environment(1_500);
    const target = await rollOut('b-cut');
    fake.clearRequests();
    const watching = watcher.watch(target, new AbortController().signal);
    await eventually(() => fake.openWatches() === 2 || undefined, 5_000, 'two watches');
    const [first] = watches(fake);
    expect(fake.cutWatches()).toBe(2);
    expect(await watching).toMatchObject({ status: 'succeeded' });
    const again = watches(fake).slice(2);
    expect(again).toHaveLength(2);
    for (const w of again) expect(Number(w.query.resourceVersion)).toBeGreaterThanOrEqual(Number(first.query.resourceVersion));
    expect(reads(fake).filter((r) => r.path.endsWith('/deployments'))).toHaveLength(1);
  });

  it('finishes a rollout whose watches a proxy holds open and silent: client-node drops a stream after 30 s without data, and it is watched again', async () => {
    const { fake, watcher, rollOut } = await environment(1_500);
    const target = { ...(await rollOut('b-held')), deadline: Date.now() + 60_000 };
    const watching = watcher.watch(target, new AbortController().signal);
    await eventually(() => fake.openWatches() === 2 || undefined, 5_000, 'two watches');
    expect(fake.holdWatches()).toBe(2); // nothing more reaches the deployer: no event, no bookmark, no end
    const held = Date.now();
    fake.clearRequests();
    expect(await watching).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
    // The pods were ready 1.5 s after the apply; the rollout is seen again once client-node's
    // inactivity timer (30 s) has ended the silent streams and they are watched again.
    const took = Date.now() - held;
    expect(took).toBeGreaterThan(25_000);
    expect(took).toBeLessThan(40_000);
    expect(watches(fake).length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('rides out an API server that refuses connections mid-rollout: reads while the watch cannot be had, then watches again', async () => {
    const { fake, watcher, rollOut } = await environment(5_000, { rewatchAfterMs: 1_000 });
    const target = await rollOut('b-refused-port');
    const watching = watcher.watch(target, new AbortController().signal);
    await eventually(() => fake.openWatches() === 2 || undefined, 5_000, 'two watches');
    await fake.setCondition({ kind: 'refused' }); // the chaos suite's kube-refused: the port closed, watches cut
    await new Promise((r) => setTimeout(r, 2_000));
    fake.clearRequests();
    await fake.setCondition(undefined);
    expect(await watching).toMatchObject({ status: 'succeeded', image: { status: 'known' } });
    expect(logs.messages('warn')).toContain(
      'cannot keep a watch on the rollout; reading it every 0.2 s instead, and watching again in 1 s',
    );
    expect(logs.messages('log')).toContain('watching the rollout again');
    // Back to watching well before the pods were ready: a handful of reads, not one every 0.2 s until then.
    expect(watches(fake).length).toBeGreaterThanOrEqual(2);
    expect(reads(fake).length).toBeLessThan(12);
  });

  it('reads every interval where watches are refused (RBAC without watch), and says so once', async () => {
    const { fake, watcher, rollOut } = await environment(1_000);
    fake.failNext({ verb: 'watch' }, 403, 1_000);
    const first = await rollOut('b-refused-1');
    expect(await watcher.watch(first, new AbortController().signal)).toMatchObject({ status: 'succeeded' });
    const second = await rollOut('b-refused-2');
    fake.clearRequests();
    expect(await watcher.watch(second, new AbortController().signal)).toMatchObject({ status: 'succeeded' });
    // ≈ 1 s of rollout read every 200 ms, no watch tried again.
    expect(reads(fake).filter((r) => /\/deployments\/[^/]+$/.test(r.path)).length).toBeGreaterThanOrEqual(4);
    expect(watches(fake)).toHaveLength(0);
    expect(logs.messages('warn')).toEqual([
      'the namespace refuses watches; reading its rollouts every 0.2 s instead, and trying a watch again in 10 min',
    ]);
  });
});
