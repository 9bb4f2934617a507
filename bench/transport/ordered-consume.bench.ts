/**
 * Transport figures (docs/benchmarks.md, "Transport"): how fast JetStreamServer consumers get
 * through the messages of many builds, and whether each build's messages take effect in order.
 *
 * Per scenario, on a fresh stream prefix of the shared nats-server:
 *  1. backlog: BENCH_BUILDS builds × BENCH_VERSIONS versions are published first, interleaved
 *     (v1 of every build, then v2 …), then BENCH_REPLICAS transport instances start on one
 *     durable consumer; the time until every message was handled gives messages/s;
 *  2. paced: BENCH_RATE messages/s for BENCH_PACED_SECONDS, new builds, publish → handled latency;
 *  3. with failures: the backlog again, the first delivery of every BENCH_FAIL_EVERY-th message
 *     throws; counts the messages that took effect before an earlier version of their build.
 * Handlers wait BENCH_HANDLER_MS (default 2) to stand for real work.
 *
 * Run: node scripts/run-ts.cjs bench/transport/ordered-consume.bench.ts
 * Against another copy of the platform library (e.g. the previous commit, extracted with
 * `git archive <commit> libs/platform | tar -x -C /tmp/before`):
 *      BENCH_PLATFORM=/tmp/before/libs/platform/src node scripts/run-ts.cjs bench/transport/ordered-consume.bench.ts
 */
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { connect, headers, JSONCodec } from 'nats';
import { Subjects } from '@app/contracts';
import { createTestNats } from '../../test/infra/test-infra';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const platform = require(resolve(process.env.BENCH_PLATFORM ?? 'libs/platform/src', 'messaging'));
const builds = Number(process.env.BENCH_BUILDS ?? 200);
const versions = Number(process.env.BENCH_VERSIONS ?? 10);
const replicaCounts = (process.env.BENCH_REPLICAS ?? '1,2').split(',').map(Number);
const handlerMs = Number(process.env.BENCH_HANDLER_MS ?? 2);
const rate = Number(process.env.BENCH_RATE ?? 200);
const pacedSeconds = Number(process.env.BENCH_PACED_SECONDS ?? 5);
const failEvery = Number(process.env.BENCH_FAIL_EVERY ?? 10);
const subject = Subjects.BuildRegistered;
const codec = JSONCodec<Body>();

interface Body {
  id: string;
  type: string;
  streamId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  data: { sentAt: number };
}

interface Record {
  build: string;
  version: number;
  at: number;
  latencyMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)] ?? NaN;

const message = (run: string, build: number, version: number): Body => {
  const buildId = `${run}-b${build}`;
  const id = `${buildId}-v${version}`;
  return {
    id,
    type: 'BuildRegistered',
    streamId: `build-${buildId}`,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: buildId,
    causationId: id,
    data: { sentAt: Date.now() },
  };
};

async function publishAll(url: string, prefix: string, bodies: Body[]): Promise<void> {
  const nc = await connect({ servers: url });
  const js = nc.jetstream();
  for (let i = 0; i < bodies.length; i += 200) {
    await Promise.all(
      bodies.slice(i, i + 200).map((b) => {
        const h = headers();
        h.set('Nats-Msg-Id', b.id);
        return js.publish(`${prefix}.${subject}`, codec.encode({ ...b, data: { sentAt: Date.now() } }), { headers: h });
      }),
    );
  }
  await nc.drain();
}

async function startReplicas(url: string, prefix: string, count: number, onMessage: (b: Body, delivery: number) => Promise<void>) {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const server = new platform.JetStreamServer({
      servers: [url],
      prefix,
      service: 'bench',
      consumers: [{ stream: 'EVENTS' }],
      backoffMs: [100, 200],
      ackWaitMs: 5_000,
    });
    server.addHandler(subject, async (b: Body, ctx: { getDeliveryCount(): number }) => onMessage(b, ctx.getDeliveryCount()), true);
    await new Promise<void>((ok, fail) => server.listen((e?: unknown) => (e ? fail(e) : ok())));
    servers.push(server);
  }
  return servers;
}

/** Messages that took effect while an earlier version of their build had not yet. */
const outOfOrder = (records: Record[]) => {
  const last = new Map<string, number>();
  let count = 0;
  for (const r of [...records].sort((a, b) => a.at - b.at)) {
    if ((last.get(r.build) ?? 0) > r.version) count++;
    last.set(r.build, Math.max(last.get(r.build) ?? 0, r.version));
  }
  return count;
};

async function scenario(replicas: number, failing: boolean): Promise<string> {
  const nats = await createTestNats();
  const jsm = await (await connect({ servers: nats.url })).jetstreamManager();
  await platform.ensureStream(jsm, nats.prefix, 'EVENTS');
  const run = nats.prefix;
  const records: Record[] = [];
  const failed = new Set<string>();
  const onMessage = async (b: Body, delivery: number) => {
    await sleep(handlerMs);
    const n = Number(b.correlationId.split('-b')[1]) + b.version;
    if (failing && delivery === 1 && n % failEvery === 0 && !failed.has(b.id)) {
      failed.add(b.id);
      throw new Error('first delivery fails');
    }
    records.push({ build: b.correlationId, version: b.version, at: performance.now(), latencyMs: Date.now() - b.data.sentAt });
  };
  const backlog: Body[] = [];
  for (let v = 1; v <= versions; v++) for (let b = 0; b < builds; b++) backlog.push(message(run, b, v));
  await publishAll(nats.url, nats.prefix, backlog);

  const t0 = performance.now();
  const servers = await startReplicas(nats.url, nats.prefix, replicas, onMessage);
  const deadline = Date.now() + 300_000;
  while (new Set(records.map((r) => `${r.build}/${r.version}`)).size < backlog.length && Date.now() < deadline) await sleep(20);
  const seconds = (performance.now() - t0) / 1000;
  const handled = new Set(records.map((r) => `${r.build}/${r.version}`)).size;
  let line = `replicas ${replicas}${failing ? `, 1 in ${failEvery} fails once` : ''}: backlog ${handled}/${backlog.length} in ${seconds.toFixed(2)} s = ${(handled / seconds).toFixed(0)} msg/s, out of order ${outOfOrder(records)}, handled twice ${records.length - handled}`;

  if (!failing) {
    const before = records.length;
    const pacedBuilds = Math.ceil((rate * pacedSeconds) / versions);
    const bodies: Body[] = [];
    for (let v = 1; v <= versions; v++) for (let b = 0; b < pacedBuilds; b++) bodies.push(message(`${run}p`, b, v));
    const nc = await connect({ servers: nats.url });
    const js = nc.jetstream();
    const start = Date.now();
    for (let i = 0; i < bodies.length; i++) {
      const due = start + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      const h = headers();
      h.set('Nats-Msg-Id', bodies[i].id);
      void js.publish(`${nats.prefix}.${subject}`, codec.encode({ ...bodies[i], data: { sentAt: Date.now() } }), { headers: h });
    }
    while (records.length - before < bodies.length && Date.now() < start + pacedSeconds * 1000 + 30_000) await sleep(20);
    const latencies = records.slice(before).map((r) => r.latencyMs);
    line += `; paced ${rate}/s: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms (n=${latencies.length})`;
    await nc.drain();
  }
  if (process.env.BENCH_VERBOSE && platform.MessagingMetrics) {
    const byResult: { [result: string]: number } = {};
    for (const v of (await platform.MessagingMetrics.handled.get()).values)
      byResult[v.labels.result] = (byResult[v.labels.result] ?? 0) + v.value;
    line += ` [${JSON.stringify(byResult)}]`;
    platform.MessagingMetrics.handled.reset();
  }
  await Promise.all(servers.map((s: { close(): Promise<void> }) => s.close()));
  await nats.cleanup();
  return line;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  console.log(
    `platform: ${process.env.BENCH_PLATFORM ?? 'libs/platform/src'}; ${builds} builds × ${versions} versions, handler ${handlerMs} ms`,
  );
  for (const replicas of replicaCounts) {
    console.log(await scenario(replicas, false));
    console.log(await scenario(replicas, true));
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
