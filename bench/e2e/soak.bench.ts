/**
 * Soak (issue #15): BENCH_SOAK_BUILDS (default 1,000) builds across BENCH_SOAK_PROJECTS (default
 * 100) projects through the four BUILT services as processes (the stack of the flow benchmark:
 * a private database and NATS prefix, the Slack and Kubernetes fakes answering at once), each
 * build the whole way: CI's request → preview → QA DMs → a signed Approve click → a signed
 * Deploy to production click → production announced. Builds start at a steady
 * BENCH_SOAK_RATE per second (default 1); builds of one project run one after another, and at
 * most BENCH_SOAK_MAX_IN_FLIGHT (default 20) at once (a build that has to wait starts late, and
 * the report says by how much).
 *
 * Every BENCH_SOAK_SAMPLE_SECONDS (default 5) it reads each service's RSS and CPU time from
 * /proc; at the end of every BENCH_SOAK_WINDOW builds (default 100) it takes a sample, the
 * window's latency percentiles, and each process's CPU per build and share of a core over the
 * window (which process saturates; beside it how busy the whole machine was and its load
 * average, since the machine is shared); after the last build
 * and BENCH_SOAK_SETTLE_SECONDS (default 15) of quiet, the final sample, the size of every table
 * of the approvals and notifier schemas and of every JetStream stream and KV bucket of the run.
 * Prints markdown (docs/benchmarks.md).
 *
 * Run: node scripts/run-ts.cjs bench/e2e/soak.bench.ts
 */
import { loadavg } from 'node:os';
import { SlackActions } from '@app/contracts';
import { createTestDatabase, createTestNats } from '../../test/infra/test-infra';
import { clickIn, e2eProject } from '../../test/e2e/support/flows';
import { buildIdFromNewestDm, buttonsOf, dmOfBuild, topLevel } from '../../test/e2e/support/slack-views';
import { startStack, type E2eProject, type Stack } from '../../test/e2e/support/stack';
import { machineCpu, processUsage } from './soak/process-usage';
import { soakMarkdown, type BuildRun, type UsageSample } from './soak/soak-report';
import { streamSizes, tableSizes } from './soak/store-sizes';

const builds = Number(process.env.BENCH_SOAK_BUILDS ?? 1_000);
const projectCount = Number(process.env.BENCH_SOAK_PROJECTS ?? 100);
const rate = Number(process.env.BENCH_SOAK_RATE ?? 1);
const sampleMs = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 5) * 1000;
const settleMs = Number(process.env.BENCH_SOAK_SETTLE_SECONDS ?? 15) * 1000;
const windowSize = Number(process.env.BENCH_SOAK_WINDOW ?? Math.min(100, Math.max(1, Math.ceil(builds / 5))));
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 0.02);
/** A step that takes longer fails its build (the soak goes on, and says so). */
const STEP_TIMEOUT_MS = 120_000;
/**
 * Builds driven at once at most: past it, the next build waits (and its lateness is reported)
 * rather than piling onto a stack that is already behind.
 */
const MAX_IN_FLIGHT = Number(process.env.BENCH_SOAK_MAX_IN_FLIGHT ?? 20);
/** More failed builds than this and the soak stops: the figures would not mean anything. */
const MAX_FAILURES = Math.max(5, Math.ceil(builds / 50));

const pad = (i: number) => String(i + 1).padStart(3, '0');
const projects: E2eProject[] = Array.from({ length: projectCount }, (_, i) =>
  e2eProject(`soak${i}`, i + 1, { channel: `C0SOAK${pad(i)}`, qa: [`U0QA${pad(i)}01`], owners: [`U0OW${pad(i)}01`] }),
);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Builds being driven right now. */
let inFlight = 0;

/**
 * Polls the in-process Slack fake — every 50 ms while few builds are in flight, less often as more
 * are (25 ms × builds in flight, at most 1 s). Each look copies one conversation (the fake indexes
 * its messages by conversation), and the fakes share this process's core: polling at a fixed rate
 * per build made the benchmark its own load (a first 1,000-build run spent 276 CPU s here against
 * 51 s in all four services, starved the fakes, and every build behind them waited).
 */
async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${STEP_TIMEOUT_MS / 1000} s`);
    await sleep(Math.min(1_000, Math.max(50, 25 * inFlight)));
  }
}

/** One build the whole way; its project's previous build has finished. */
async function driveBuild(
  stack: Stack,
  project: E2eProject,
  index: number,
  previous: string | undefined,
): Promise<Omit<BuildRun, 'lagMs'>> {
  const qa = project.qa![0];
  const owner = project.owners[0];
  const t0 = performance.now();
  const accepted = await stack.ciBuildComplete({
    project: project.id,
    image: `registry.example.org/${project.id}:s${index}`,
    type: 'branch',
    target: `soak-${index}`,
  });
  if (accepted.status !== 202) throw new Error(`CI request answered ${accepted.status}`);
  const buildId = await until('QA DM with buttons', () => {
    const id = buildIdFromNewestDm(stack.slack, qa);
    return id !== previous && id;
  });
  const ownerDm = await until('owner DM with buttons', () => {
    const dm = dmOfBuild(stack.slack, owner, buildId);
    return dm && buttonsOf(dm).length > 0 && dm;
  });
  const toQaMs = performance.now() - t0;
  const approved = await clickIn(stack, qa, dmOfBuild(stack.slack, qa, buildId)!, SlackActions.Approve, buildId);
  if (approved.status !== 200) throw new Error(`Approve click answered ${approved.status}`);
  await until('"ready" in the owner DM thread', () => stack.slack.thread(ownerDm.channel, ownerDm.ts).some((m) => /ready/i.test(m.text)));
  const announced = () => stack.slack.messages(project.channel).filter((m) => /deployed to production/i.test(m.text)).length;
  const before = announced();
  const t1 = performance.now();
  const promoted = await clickIn(stack, owner, ownerDm, SlackActions.Promote, buildId);
  if (promoted.status !== 200) throw new Error(`Deploy to production click answered ${promoted.status}`);
  await until('"deployed to production" in the channel', () => announced() > before);
  const t2 = performance.now();
  return { index, project: project.id, toQaMs, toProductionMs: t2 - t1, totalMs: t2 - t0 };
}

function sample(stack: Stack, finished: number): UsageSample {
  const usage: UsageSample['usage'] = {};
  for (const [name, service] of Object.entries(stack.services)) usage[name] = service.pid ? processUsage(service.pid) : undefined;
  usage['bench (fakes)'] = processUsage(process.pid);
  return { atMs: performance.now(), finished, usage, heapUsed: {}, load1: loadavg()[0], machine: machineCpu() };
}

/** A sample with each service's V8 heap in use (its /metrics: nodejs_heap_size_used_bytes): growth there is a leak, RSS alone may be the allocator's high-water mark. */
async function sampleWithHeap(stack: Stack, finished: number): Promise<UsageSample> {
  const taken = sample(stack, finished);
  await Promise.all(
    Object.entries(stack.services).map(async ([name, service]) => {
      try {
        const text = await (await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
        const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
        if (match) taken.heapUsed[name] = Number(match[1]);
      } catch {
        // left out of the table
      }
    }),
  );
  taken.heapUsed['bench (fakes)'] = process.memoryUsage().heapUsed;
  return taken;
}

async function soak(stack: Stack, databaseUrl: string, nats: { url: string; prefix: string }): Promise<string> {
  const tablesBefore = await tableSizes(databaseUrl);
  const started = await sampleWithHeap(stack, 0);
  const peakRss: Record<string, number> = {};
  const notePeaks = (s: UsageSample) => {
    for (const [p, u] of Object.entries(s.usage)) if (u) peakRss[p] = Math.max(peakRss[p] ?? 0, u.rssBytes);
  };
  const sampler = setInterval(() => notePeaks(sample(stack, runs.length)), sampleMs);
  const runs: BuildRun[] = [];
  const windows: UsageSample[] = [];
  const lastBuild = new Map<string, string>();
  const chains = new Map<string, Promise<void>>();
  const t0 = performance.now();
  try {
    for (let i = 0; i < builds && runs.filter((r) => r.error).length <= MAX_FAILURES; i++) {
      const due = t0 + (i / rate) * 1000;
      await sleep(due - performance.now());
      while (inFlight >= MAX_IN_FLIGHT) await sleep(100);
      const project = projects[i % projects.length];
      const run = (chains.get(project.id) ?? Promise.resolve()).then(async () => {
        const lagMs = Math.max(0, performance.now() - due);
        inFlight++;
        try {
          const done = await driveBuild(stack, project, i, lastBuild.get(project.id));
          lastBuild.set(project.id, dmOfBuildId(stack, project) ?? '');
          runs.push({ ...done, lagMs });
        } catch (error) {
          runs.push({ index: i, project: project.id, lagMs, error: (error as Error).message });
          lastBuild.set(project.id, dmOfBuildId(stack, project) ?? '');
        } finally {
          inFlight--;
        }
        if (runs.length % windowSize === 0) windows.push(await sampleWithHeap(stack, runs.length));
        if (runs.length % 50 === 0) process.stderr.write(`soak: ${runs.length}/${builds} builds finished\n`);
      });
      chains.set(project.id, run);
    }
    await Promise.all(chains.values());
  } finally {
    clearInterval(sampler);
  }
  const durationMs = performance.now() - t0;
  await sleep(settleMs);
  const final = await sampleWithHeap(stack, runs.length);
  notePeaks(final);
  const dms = projects.flatMap((p) => {
    const perBuild = new Map<string, number>();
    for (const m of topLevel(stack.slack, p.qa![0])) {
      const id = [m, ...m.history].flatMap((v) => buttonsOf(v as never)).at(0)?.value;
      if (id) perBuild.set(id, (perBuild.get(id) ?? 0) + 1);
    }
    return [...perBuild.values()];
  });
  return soakMarkdown({
    builds,
    projects: projectCount,
    rate,
    windowSize,
    runs: runs.sort((a, b) => a.index - b.index),
    started,
    windows,
    final,
    peakRss,
    tablesBefore,
    tablesAfter: await tableSizes(databaseUrl),
    streams: await streamSizes(nats.url, nats.prefix),
    durationMs,
    qaDmsPerBuild: { min: Math.min(...dms), max: Math.max(...dms) },
  });
}

/** The build id on the project's QA person's newest DM that had buttons (to tell the next build's DM apart). */
function dmOfBuildId(stack: Stack, project: E2eProject): string | undefined {
  const dms = topLevel(stack.slack, project.qa![0]);
  for (const m of dms.reverse()) {
    const id = [m, ...m.history].flatMap((v) => buttonsOf(v as never)).at(0)?.value;
    if (id) return id;
  }
  return undefined;
}

async function main(): Promise<void> {
  process.stderr.write(
    `soak: ${builds} builds across ${projectCount} projects at ${rate}/s, pods ready after ${(300 * timeScale).toFixed(0)} ms\n`,
  );
  const database = await createTestDatabase();
  const nats = await createTestNats();
  const stack = await startStack({ projects, timeScale, database, nats, env: { LOG_LEVEL: 'warn' } });
  try {
    process.stdout.write(`${await soak(stack, database.url, nats)}\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
