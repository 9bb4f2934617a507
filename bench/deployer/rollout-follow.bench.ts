/*
 * Following a rollout, watch against reads (docs/benchmarks.md "Following a rollout"): the
 * deployer's RolloutWatcher over the real client-node and the Kubernetes API fake (in this
 * process), one rollout at a time, in both of the watcher's modes of the same build —
 *   watch: list, then watch (the default);
 *   reads: a read of the Deployment and a list of its pods every second — what the deployer did
 *          before watches, and still does where a namespace refuses them (here: every watch
 *          answered 403, after one rollout that finds that out).
 * For pods that become ready after 6 ms, 300 ms and 2.5 s, and for a pod stuck in
 * ImagePullBackOff (fail-fast 3 s): how long after the pods were ready (or the fail-fast time
 * was up) the outcome came, and what each rollout asked of the API (GETs of Deployments/pods
 * that read state, and watches).
 *
 *   node scripts/run-ts.cjs bench/deployer/rollout-follow.bench.ts
 *
 * BENCH_ROLLOUTS (default 10) rollouts per case.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadKubeConfig } from '../../apps/deployer/src/kubernetes/kube-config';
import { KubernetesClusterAdapter } from '../../apps/deployer/src/kubernetes/kubernetes-cluster.adapter';
import { selectorLabels, toLabelSelector } from '../../apps/deployer/src/manifests/workload-labels';
import { RolloutTarget, RolloutWatcher } from '../../apps/deployer/src/rollout/rollout.watcher';
import { manifestsOf, order } from '../../apps/deployer/test/deployer-fixtures';
import { startKubernetesFake, type KubernetesFake } from '../../test/fakes/kubernetes';

const ROLLOUTS = Number(process.env.BENCH_ROLLOUTS ?? 10);
const FAIL_FAST_MS = 3_000;

Logger.overrideLogger(false);

interface Case {
  name: string;
  /** Pods of a good image are ready after this long. */
  readyAfterMs: number;
  image: string;
  /** When the outcome could have come at the earliest, after the apply. */
  dueMs: number;
}

const cases: Case[] = [
  { name: 'pods ready after 6 ms', readyAfterMs: 6, image: 'registry.example.org/shop:good', dueMs: 6 },
  { name: 'pods ready after 300 ms', readyAfterMs: 300, image: 'registry.example.org/shop:good', dueMs: 300 },
  // Not a whole number of seconds: pods get ready at any moment between two reads.
  { name: 'pods ready after 2.5 s', readyAfterMs: 2_500, image: 'registry.example.org/shop:good', dueMs: 2_500 },
  {
    name: 'ImagePullBackOff, fail-fast 3 s',
    readyAfterMs: 300,
    image: 'registry.example.org/shop:does-not-exist',
    dueMs: FAIL_FAST_MS,
  },
];

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const isWatch = (query: Record<string, string>) => query.watch === 'true' || query.watch === '1';

async function measure(c: Case, mode: 'watch' | 'reads'): Promise<string> {
  const fake: KubernetesFake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs: c.readyAfterMs });
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollout-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, fake.kubeConfigYaml(), { mode: 0o600 });
  try {
    const cluster = new KubernetesClusterAdapter(loadKubeConfig(kubeconfig), { timeoutMs: 10_000 });
    const watcher = new RolloutWatcher(cluster, { pollIntervalMs: 1_000, policy: { failFastMs: FAIL_FAST_MS } });
    if (mode === 'reads') fake.failNext({ verb: 'watch' }, 403, 1_000_000);
    const late: number[] = [];
    let reads = 0;
    let watches = 0;
    // Rollout 0 warms up (discovery; in reads mode it finds out that watches are refused).
    for (let i = 0; i <= ROLLOUTS; i++) {
      const o = order({ buildId: `b-${mode}-${i}`, target: `t-${i}`, image: c.image });
      const { deployment, name } = manifestsOf(o);
      await cluster.apply(deployment);
      const applied = performance.now();
      fake.clearRequests();
      const target: RolloutTarget = {
        namespace: 'default',
        name,
        buildId: o.buildId,
        requestId: o.requestId,
        podSelector: toLabelSelector(selectorLabels(name)),
        requestedAt: Date.parse(o.requestedAt),
        deadline: Date.now() + 60_000,
      };
      const outcome = await watcher.watch(target, new AbortController().signal);
      const took = performance.now() - applied;
      const expected = c.image.endsWith('does-not-exist') ? 'failed' : 'succeeded';
      if (outcome.status !== expected) throw new Error(`${c.name}, ${mode}: ${JSON.stringify(outcome)}`);
      if (i === 0) continue;
      late.push(took - c.dueMs);
      const gets = fake.requests().filter((r) => r.method === 'GET' && /\/(deployments|pods)(\/|$)/.test(r.path));
      watches += gets.filter((r) => isWatch(r.query)).length;
      reads += gets.filter((r) => !isWatch(r.query)).length;
    }
    const ms = (n: number) => `${Math.max(0, n).toFixed(0)} ms`;
    return `| ${c.name} | ${mode} | ${ms(percentile(late, 50))} | ${ms(percentile(late, 95))} | ${(reads / ROLLOUTS).toFixed(1)} | ${(watches / ROLLOUTS).toFixed(1)} |`;
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`${ROLLOUTS} rollouts per case, one at a time, 2 pods each; "late": outcome minus the earliest it could have come`);
  console.log('| case | mode | late p50 | late p95 | GETs per rollout | watches per rollout |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const c of cases) for (const mode of ['reads', 'watch'] as const) console.log(await measure(c, mode));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
