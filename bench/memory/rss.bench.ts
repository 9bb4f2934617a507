/**
 * What each service's resident memory is made of (docs/benchmarks.md, "Memory (RSS) per service"):
 * the four BUILT services as processes (the e2e stack: real Postgres and NATS, the Slack and
 * Kubernetes fakes in this process), each with bench/memory/probe.cjs preloaded, snapshotted
 * 1. idle: BENCH_RSS_IDLE_MS (5 s) after every service answered /readyz;
 * 2. after half of BENCH_RSS_BUILDS (default 30) builds and after all of them, the whole way, one
 *    after the other (CI → QA and owner DMs → Approve → Deploy to production → announced);
 * 3. after a burst of BENCH_RSS_BURST (default 50) builds at once, until every QA DM is posted;
 * 4. settled: 15 s later.
 * Each snapshot: RSS (anonymous / file-backed; the anonymous part by kind of mapping), PSS, V8 heap per space (committed / used), code,
 * external and array buffers, threads, peak RSS and CPU time so far, and the packages each service
 * loaded (CommonJS modules only: require.cache does not list ES modules such as Nest 12's).
 * BENCH_RSS_NODE_OPTIONS adds Node options to every service (to compare flags); BENCH_RSS_ENV adds
 * environment variables (`NAME=value,NAME=value`, e.g. MALLOC_ARENA_MAX=2;
 * RSS_PROBE_HEAP_SNAPSHOTS=<directory> also writes a V8 heap snapshot per service and phase there).
 * Run: node scripts/run-ts.cjs bench/memory/rss.bench.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SlackActions } from '@app/contracts';
import { SERVICES, type ServiceName } from '../../test/e2e/support/built-services';
import { clickIn, e2eProject, reportBuild, waitForRequestDms } from '../../test/e2e/support/flows';
import { dmOfBuild } from '../../test/e2e/support/slack-views';
import { startStack, type Stack } from '../../test/e2e/support/stack';

const builds = Number(process.env.BENCH_RSS_BUILDS ?? 30);
const burst = Number(process.env.BENCH_RSS_BURST ?? 50);
const extraNodeOptions = process.env.BENCH_RSS_NODE_OPTIONS ?? '';
// How long the services idle before the first snapshot (longer to attach a profiler, e.g. heaptrack -p).
const idleMs = Number(process.env.BENCH_RSS_IDLE_MS ?? 5_000);
const extraEnv = Object.fromEntries(
  (process.env.BENCH_RSS_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2)),
);
const projects = Array.from({ length: 10 }, (_, i) =>
  e2eProject(`rss${i}`, i + 1, { qa: [`U0QA${String(i + 1).padStart(2, '0')}001`], owners: [`U0OW${String(i + 1).padStart(2, '0')}001`] }),
);

interface Snapshot {
  execArgv: string[];
  memoryUsage: NodeJS.MemoryUsage;
  heapSpaces: Record<string, { size: number; used: number; committed: number }>;
  code: { code_and_metadata_size: number; bytecode_and_metadata_size: number; external_script_source_size: number };
  rssAnon: number;
  rssFile: number;
  pss: number;
  anonymous: { brkHeap: number; arenas: number; otherAnonymous: number };
  peakRss: number;
  cpuSeconds: number;
  threads: number;
  modules: number;
  packages: Record<string, number>;
  resources: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const load = () => loadavg()[0].toFixed(1);

async function snapshot(stack: Stack, dir: string, service: ServiceName): Promise<Snapshot> {
  const pid = stack.services[service].pid!;
  const file = join(dir, `${pid}.json`);
  rmSync(file, { force: true });
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // not written (completely) yet
    }
  }
  throw new Error(`${service} (pid ${pid}) wrote no memory snapshot`);
}

async function snapshotAll(stack: Stack, dir: string): Promise<Record<ServiceName, Snapshot>> {
  const all = {} as Record<ServiceName, Snapshot>;
  for (const service of SERVICES) all[service] = await snapshot(stack, dir, service);
  return all;
}

async function wholeBuilds(stack: Stack, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const project = projects[i % projects.length];
    const { buildId } = await reportBuild(stack, {
      project: project.id,
      image: `registry.example.org/${project.id}:m${i}`,
      type: 'branch',
      target: `mem-${i}`,
    });
    const dms = await waitForRequestDms(stack, project, buildId, 60_000);
    const [qa, owner] = [project.qa![0], project.owners[0]];
    await clickIn(stack, qa, dms.qaDms[qa], SlackActions.Approve, buildId);
    const ownerDm = dms.ownerDms[owner];
    await stack.waitFor(
      'approval reaches the owner',
      () => stack.slack.thread(ownerDm.channel, ownerDm.ts).some((m) => /ready/i.test(m.text)),
      60_000,
    );
    const since = Date.now();
    await clickIn(stack, owner, ownerDm, SlackActions.Promote, buildId);
    await stack.waitFor(
      'production announced in the channel',
      () =>
        stack.slack
          .calls()
          .some((c) => c.at >= since && c.args.channel === project.channel && /deployed to production/i.test(String(c.args.text ?? ''))),
      60_000,
    );
  }
}

/** Resolves with how many of the burst's builds had their QA DM within 180 s. */
async function burstOfBuilds(stack: Stack): Promise<number> {
  const accepted = await Promise.all(
    Array.from({ length: burst }, (_, i) => {
      const project = projects[i % projects.length];
      return stack.ciBuildComplete({
        project: project.id,
        image: `registry.example.org/${project.id}:b${i}`,
        type: 'branch',
        target: `burst-${i}`,
      });
    }),
  );
  if (accepted.some((a) => a.status !== 202)) throw new Error(`not every build was accepted: ${accepted.map((a) => a.status).join(',')}`);
  const ids = new Array<string | undefined>(burst);
  const missing = new Set(ids.keys());
  const deadline = Date.now() + 180_000;
  while (missing.size > 0 && Date.now() < deadline) {
    for (const i of missing) {
      ids[i] ??= (await stack.getBuild(accepted[i].body.id)).body?.id;
      if (ids[i] && dmOfBuild(stack.slack, projects[i % projects.length].qa![0], ids[i]!)) missing.delete(i);
    }
    if (missing.size > 0) await sleep(500);
  }
  return burst - missing.size;
}

function report(phases: Array<[string, string, Record<ServiceName, Snapshot>]>): void {
  console.log(
    '\n| service | phase (load avg) | RSS | anon / file | PSS | peak RSS | heap committed / used | new space committed | old space used | code space committed | external / array buffers | anon: malloc main arena / other arenas / other | threads | CPU s so far |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const service of SERVICES) {
    for (const [phase, loadAvg, all] of phases) {
      const s = all[service];
      const space = (name: string) => s.heapSpaces[name] ?? { size: 0, used: 0, committed: 0 };
      const committed = Object.values(s.heapSpaces).reduce((sum, x) => sum + x.committed, 0);
      console.log(
        `| ${service} | ${phase} (${loadAvg}) | ${mb(s.memoryUsage.rss)} | ${mb(s.rssAnon)} / ${mb(s.rssFile)} | ${mb(s.pss)} | ${mb(s.peakRss)} | ${mb(committed)} / ${mb(s.memoryUsage.heapUsed)} | ${mb(space('new_space').committed)} | ${mb(space('old_space').used)} | ${mb(space('code_space').committed)} | ${mb(s.memoryUsage.external)} / ${mb(s.memoryUsage.arrayBuffers)} | ${mb(s.anonymous.brkHeap)} / ${mb(s.anonymous.arenas)} / ${mb(s.anonymous.otherAnonymous)} | ${s.threads} | ${s.cpuSeconds.toFixed(1)} |`,
      );
    }
  }
  console.log('\nopen handles (process.getActiveResourcesInfo(), by kind; TLSWrap and TCPSocketWrap are connections):');
  for (const service of SERVICES) {
    for (const [phase, , all] of phases) {
      const kinds = Object.entries(all[service].resources ?? {}).sort((a, b) => b[1] - a[1]);
      console.log(`  ${service}, ${phase}: ${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
    }
  }
  const idle = phases[0][2];
  console.log('\nmodules loaded at idle (of which node_modules packages, by module count):');
  for (const service of SERVICES) {
    const packages = Object.entries(idle[service].packages).sort((a, b) => b[1] - a[1]);
    console.log(`  ${service}: ${idle[service].modules} modules; ${packages.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  }
  console.log(`\nexecArgv: ${JSON.stringify(idle.gateway.execArgv)}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-rss-'));
  const probe = resolve(__dirname, 'probe.cjs');
  const nodeOptions = `--require ${probe} ${extraNodeOptions}`.trim();
  console.log(`NODE_OPTIONS for the services: ${nodeOptions}; environment added: ${JSON.stringify(extraEnv)}`);
  const stack = await startStack({
    projects,
    timeScale: 0.02,
    env: { LOG_LEVEL: 'warn', NODE_OPTIONS: nodeOptions, RSS_PROBE_DIR: dir, ...extraEnv },
  });
  const phases: Array<[string, string, Record<ServiceName, Snapshot>]> = [];
  try {
    await sleep(idleMs);
    phases.push(['idle', load(), await snapshotAll(stack, dir)]);
    // Half-way and at the end: growth from the one to the other is growth after warm-up.
    for (const [from, to] of [
      [0, Math.floor(builds / 2)],
      [Math.floor(builds / 2), builds],
    ]) {
      if (to === from) continue;
      await wholeBuilds(stack, from, to);
      phases.push([`after ${to} builds`, load(), await snapshotAll(stack, dir)]);
    }
    if (burst > 0) {
      const done = await burstOfBuilds(stack);
      phases.push([`after a burst of ${burst} (${done} QA DMs)`, load(), await snapshotAll(stack, dir)]);
    }
    await sleep(15_000);
    phases.push(['settled 15 s', load(), await snapshotAll(stack, dir)]);
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
    if (phases.length > 0) report(phases);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
