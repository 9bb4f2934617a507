/**
 * Whole-flow figures (docs/benchmarks.md): the four built services as processes, real Postgres
 * and NATS, the Slack and Kubernetes fakes answering at once.
 *  1. latency over BENCH_BUILDS (default 50) builds, one after the other:
 *     CI request → every QA DM posted; owner's click → production announced in the channel;
 *  2. throughput: BENCH_BURST (default 100) builds across BENCH_PROJECTS (default 10) projects
 *     at once, until every QA DM is posted — and a count that nothing was lost or doubled.
 * BENCH_GAP_MS (default 500) is the pause between two builds of the latency run (not measured).
 * BENCH_TIME_SCALE (default 0.02) scales the Kubernetes fake's durations: pods are ready after
 * 300 ms × scale (0.02: 6 ms; 1: 300 ms). Each measurement also says what the deployer asked the
 * Kubernetes API per rollout: GETs that read state (a get or list of Deployments or pods) and watches,
 * and its calls against the connections they opened (bench/e2e/timeline-kubernetes-tap.ts).
 * Run: node scripts/run-ts.cjs bench/e2e/flow.bench.ts
 */
import { SlackActions } from '@app/contracts';
import { clickIn, e2eProject, reportBuild, waitForRequestDms } from '../../test/e2e/support/flows';
import { dmOfBuild, topLevel } from '../../test/e2e/support/slack-views';
import { startStack, type Stack } from '../../test/e2e/support/stack';
import { KubernetesTap } from './timeline-kubernetes-tap';

const builds = Number(process.env.BENCH_BUILDS ?? 50);
const burst = Number(process.env.BENCH_BURST ?? 100);
const projectCount = Number(process.env.BENCH_PROJECTS ?? 10);
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 0.02);
const gapMs = Number(process.env.BENCH_GAP_MS ?? 500);
const projects = Array.from({ length: projectCount }, (_, i) =>
  e2eProject(`bench${i}`, i + 1, {
    qa: [`U0QA${String(i + 1).padStart(2, '0')}001`],
    owners: [`U0OW${String(i + 1).padStart(2, '0')}001`],
  }),
);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
/**
 * The deployer's GETs of Deployments and pods that the Kubernetes fake saw, per rollout: reads (get,
 * list) and watches; and of all its calls, how many came on a connection of their own (a TCP
 * connection and a TLS handshake each).
 */
function kubernetesRequests(stack: Stack, tap: KubernetesTap, rollouts: number): string {
  const gets = stack.kube.requests().filter((r) => r.method === 'GET' && /\/(deployments|pods)(\/|$)/.test(r.path));
  const watches = gets.filter((r) => r.query.watch === 'true' || r.query.watch === '1').length;
  const per = (n: number) => (n / rollouts).toFixed(1);
  return `Kubernetes API per rollout: ${per(gets.length - watches)} GETs of Deployments/pods (get, list), ${per(watches)} watches; ${per(tap.exchanges.length)} calls over ${per(tap.connections.length)} new connections`;
}

const summary = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (n=${values.length})`;

async function latency(stack: Stack, tap: KubernetesTap): Promise<void> {
  const toQa: number[] = [];
  const toProduction: number[] = [];
  for (let i = 0; i < builds; i++) {
    const project = projects[i % projects.length];
    const t0 = Date.now();
    const { buildId } = await reportBuild(stack, {
      project: project.id,
      image: `registry.example.org/${project.id}:l${i}`,
      type: 'branch',
      target: `lat-${i}`,
    });
    const dms = await waitForRequestDms(stack, project, buildId, 60_000);
    // When the fake received the last of the build's DMs (the wait above looks only every 100 ms).
    const people = [...project.owners, ...(project.qa ?? [])];
    toQa.push(Math.max(...people.map((p) => dmOfBuild(stack.slack, p, buildId)!.postedAt)) - t0);
    const qa = project.qa![0];
    const owner = project.owners[0];
    await clickIn(stack, qa, dms.qaDms[qa], SlackActions.Approve, buildId);
    const ownerDm = dms.ownerDms[owner];
    await stack.waitFor(
      'approval reaches the owner',
      () => stack.slack.thread(ownerDm.channel, ownerDm.ts).some((m) => /ready/i.test(m.text)),
      60_000,
    );
    // The announcement: the first post or edit in the channel saying it, once the owner clicked.
    const announcedAt = (since: number) =>
      stack.slack
        .calls()
        .find(
          (c) =>
            c.at >= since &&
            (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
            c.args.channel === project.channel &&
            /deployed to production/i.test(String(c.args.text ?? '')),
        )?.at;
    const t2 = Date.now();
    await clickIn(stack, owner, ownerDm, SlackActions.Promote, buildId);
    const at = await stack.waitFor('production announced in the channel', () => announcedAt(t2), 60_000);
    toProduction.push(at - t2);
    // The build's trailing work (preview teardown, DM edits) ends before the next build arrives,
    // so each latency is measured on a quiet system rather than on the previous build's tail.
    await new Promise((r) => setTimeout(r, gapMs));
  }
  console.log(`CI request → QA DMs posted:            ${summary(toQa)}`);
  console.log(`owner's click → production announced:  ${summary(toProduction)}`);
  console.log(`  ${kubernetesRequests(stack, tap, builds * 2)} (a preview and a production rollout per build)`);
}

async function throughput(stack: Stack, tap: KubernetesTap): Promise<void> {
  const t0 = performance.now();
  const accepted = await Promise.all(
    Array.from({ length: burst }, (_, i) => {
      const project = projects[i % projects.length];
      return stack.ciBuildComplete({
        project: project.id,
        image: `registry.example.org/${project.id}:t${i}`,
        type: 'branch',
        target: `tp-${i}`,
      });
    }),
  );
  const acceptedMs = performance.now() - t0;
  if (accepted.some((a) => a.status !== 202)) throw new Error(`not every build was accepted: ${accepted.map((a) => a.status).join(',')}`);
  // One lookup per build and round, every 500 ms (not 100 pollers at once): the benchmark
  // must not be the load it measures.
  const ids: string[] = new Array(accepted.length);
  await stack.waitFor(
    'every build registered',
    async () => {
      for (const [i, a] of accepted.entries()) if (!ids[i]) ids[i] = (await stack.getBuild(a.body.id)).body?.id;
      if (ids.filter(Boolean).length < accepted.length) await new Promise((r) => setTimeout(r, 500));
      return ids.filter(Boolean).length === accepted.length;
    },
    120_000,
  );
  // Checked every 500 ms and only for builds still missing: the fakes live in this process,
  // and a busy poll would slow the Slack fake down and measure the benchmark, not deploybot.
  const missing = new Set(ids.map((_, i) => i));
  await stack.waitFor(
    `QA DMs for all ${burst} builds`,
    async () => {
      for (const i of missing) if (dmOfBuild(stack.slack, projects[i % projects.length].qa![0], ids[i])) missing.delete(i);
      if (missing.size > 0) await new Promise((r) => setTimeout(r, 400));
      return missing.size === 0;
    },
    300_000,
  );
  const doneMs = performance.now() - t0;
  const dmCounts = ids.map(
    (id, i) =>
      topLevel(stack.slack, projects[i % projects.length].qa![0]).filter((m) =>
        JSON.stringify([m.blocks, ...m.history.map((h) => h.blocks)]).includes(id),
      ).length,
  );
  const statusMessages = projects.map(
    (p) => topLevel(stack.slack, p.channel).filter((m) => /tp-/.test(JSON.stringify([m.text, m.blocks]))).length,
  );
  console.log(
    `${burst} builds across ${projects.length} projects: accepted in ${acceptedMs.toFixed(0)} ms; every QA DM posted after ${(doneMs / 1000).toFixed(1)} s = ${(burst / (doneMs / 1000)).toFixed(1)} builds/s`,
  );
  console.log(`  ${kubernetesRequests(stack, tap, burst)}`);
  console.log(
    `  QA DMs per build: min ${Math.min(...dmCounts)}, max ${Math.max(...dmCounts)} (1 = nothing lost or doubled); channel status messages: ${statusMessages.reduce((a, b) => a + b, 0)} for ${burst} builds`,
  );
}

async function main(): Promise<void> {
  console.log(`time scale ${timeScale}: pods ready after ${(300 * timeScale).toFixed(0)} ms`);
  // A fresh stack per measurement: the fakes run in this process and keep every object and
  // request they saw, so a second measurement on the same stack would measure the fakes.
  for (const [size, measure] of [
    [builds, latency],
    [burst, throughput],
  ] as const) {
    if (size <= 0) continue;
    const stack = await startStack({ projects, timeScale, env: { LOG_LEVEL: 'warn' } });
    try {
      await measure(stack, new KubernetesTap(stack.kube));
    } finally {
      await stack.stop();
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
