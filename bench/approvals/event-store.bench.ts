/*
 * Event store benchmark: approvals' PostgresEventStore against @event-driven-io/emmett-postgresql
 * on the same PostgreSQL, each in a database of its own, in the same run.
 *
 *   node scripts/run-ts.cjs bench/approvals/event-store.bench.ts
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server;
 * BENCH_APPENDS (default 3000) the appends per scenario. run-ts compiles on the fly and
 * resolves the @app/* aliases.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { endAllPools } from '@event-driven-io/dumbo';
import { PostgresEventStore } from '../../apps/approvals/src/event-store/event-store';
import { openEventLog } from '../../apps/approvals/src/event-store/event-log.data-source';
import { NewEvent } from '../../apps/approvals/src/event-store/stored-event';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const APPENDS = Number(process.env.BENCH_APPENDS ?? 3_000);
const WRITERS = 8;
const LOADS = 200;

interface Store {
  name: string;
  append(streamId: string, expectedVersion: number, events: { type: string; data: Record<string, unknown> }[]): Promise<void>;
  load(streamId: string): Promise<number>;
  close(): Promise<void>;
}

const sample = (i: number) => ({ type: 'QaApproved', data: { buildId: `b-${i}`, by: 'U0QA00001', approvals: ['U0QA00001'], required: 1 } });

async function ours(url: string): Promise<Store> {
  const db = await openEventLog(url, { poolSize: 10 });
  const store = new PostgresEventStore();
  const toNew = (e: { type: string; data: unknown }, streamId: string): NewEvent => ({
    type: e.type,
    data: e.data,
    metadata: { id: randomUUID(), occurredAt: new Date().toISOString(), correlationId: streamId, causationId: randomUUID() },
  });
  return {
    name: 'approvals PostgresEventStore',
    append: async (streamId, expected, events) =>
      void (await store.appendToStream(
        db,
        streamId,
        expected,
        events.map((e) => toNew(e, streamId)),
      )),
    load: async (streamId) => (await store.readStream(db, streamId)).events.length,
    close: () => db.destroy(),
  };
}

async function emmett(url: string): Promise<Store> {
  const store = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  return {
    name: 'Emmett 0.42 (emmett-postgresql)',
    append: async (streamId, expected, events) =>
      void (await store.appendToStream(streamId, events, {
        expectedStreamVersion: expected === 0 ? STREAM_DOES_NOT_EXIST : BigInt(expected),
      })),
    load: async (streamId) => (await store.readStream(streamId)).events.length,
    // dumbo reference-counts its pools per connection string and the schema migration takes a
    // second reference, so close() leaves the pool open; dropping the database (WITH FORCE)
    // would then kill its idle clients and crash the run with an unhandled pool error.
    close: async () => {
      await store.close();
      await endAllPools();
    },
  };
}

/** Appends one event to each of `count` new streams with `writers` concurrent loops; events per second. */
async function appendRate(store: Store, count: number, writers: number, tag: string): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < count; i = next++) await store.append(`bench-${tag}-${i}`, 0, [sample(i)]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

/** Median and p95 (ms) of loading one 1,000-event stream. */
async function loadTimes(store: Store): Promise<{ median: number; p95: number }> {
  const streamId = `bench-long-${randomUUID()}`;
  for (let v = 0; v < 1_000; v += 100)
    await store.append(
      streamId,
      v,
      Array.from({ length: 100 }, (_, i) => sample(v + i)),
    );
  for (let i = 0; i < 20; i++) await store.load(streamId); // warm-up
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const started = process.hrtime.bigint();
    const loaded = await store.load(streamId);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (loaded !== 1_000) throw new Error(`${store.name} loaded ${loaded} events, expected 1000`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] };
}

async function withDatabase<T>(name: string, run: (url: string) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    // pg's pool.end() resolves before its clients' sessions are gone; a forced drop would
    // terminate them and crash the run with an unhandled error on the ended pool.
    for (let i = 0; i < 50; i++) {
      const left = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1`, [name]);
      if (left.rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function measure(open: (url: string) => Promise<Store>, database: string) {
  return withDatabase(database, async (url) => {
    const store = await open(url);
    try {
      await appendRate(store, 300, WRITERS, 'warmup');
      const single = await appendRate(store, APPENDS, 1, 'single');
      const concurrent = await appendRate(store, APPENDS, WRITERS, 'concurrent');
      const load = await loadTimes(store);
      return { name: store.name, single, concurrent, load };
    } finally {
      await store.close();
    }
  });
}

async function main(): Promise<void> {
  const suffix = `${Date.now().toString(36)}${process.pid}`;
  const a = await measure(ours, `bench_approvals_${suffix}`);
  const b = await measure(emmett, `bench_emmett_${suffix}`);
  const f = (n: number) => n.toFixed(0);
  const ms = (n: number) => n.toFixed(2);
  const lines = [
    `| store | appends/s, 1 writer | appends/s, ${WRITERS} writers | load 1,000 events: median ms | p95 ms |`,
    '|---|---:|---:|---:|---:|',
    ...[a, b].map((r) => `| ${r.name} | ${f(r.single)} | ${f(r.concurrent)} | ${ms(r.load.median)} | ${ms(r.load.p95)} |`),
    '',
    `ratio (approvals / Emmett): 1 writer ${(a.single / b.single).toFixed(2)}×, ${WRITERS} writers ${(a.concurrent / b.concurrent).toFixed(2)}×; ` +
      `${APPENDS} single-event appends to new streams per scenario, ${LOADS} loads.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const ok = a.concurrent >= 1.5 * b.concurrent && a.load.median <= 5;
  process.stdout.write(ok ? 'targets met (concurrent ≥ 1.5× Emmett, 1,000-event load ≤ 5 ms)\n' : 'TARGETS NOT MET\n');
  process.exitCode = ok ? 0 : 1;
}

void main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack}\n`);
  process.exit(2);
});
