/**
 * Where the time of one build goes, CI's `POST /build-complete` → every QA DM posted
 * (docs/benchmarks.md, "The whole flow"): the four built services as processes, real Postgres
 * and NATS, the fakes answering at once — the flow benchmark's stack — and BENCH_BUILDS (default
 * 5) builds one after the other, BENCH_GAP_MS (500) apart. For each build it prints one timeline,
 * in ms after CI's request was sent, put together from:
 *  - the JetStream streams: when the gateway's input, approvals' relayed events and the deployer's
 *    outcome were stored (the NATS server's time stamps);
 *  - the event log: each event of the build, at the start of the transaction that appended it
 *    (`approvals.events.created_at` is `now()`), in stream order;
 *  - the Kubernetes fake: every request, from its arrival (headers read) to its answer written,
 *    and each connection the deployer opened (TCP accepted, TLS handshake done) — recorded by
 *    listeners added here to the fake's servers, the fake itself unchanged;
 *  - the Slack fake: every Web API call (`calls()`, received at `.at`) and when each DM was posted;
 *  - with BENCH_LOG_LEVEL=info, the services' log lines that name the build.
 * Then a table of the hops (median and max over the builds). BENCH_TIME_SCALE as flow.bench.ts.
 * Run: BENCH_BUILDS=5 node scripts/run-ts.cjs bench/e2e/timeline.ts
 */
import { readFileSync } from 'node:fs';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { Client } from 'pg';
import { streamName } from '../../libs/platform/src/messaging/jetstream.options';
import type { SlackMessage } from '../../test/fakes/slack';
import { e2eProject } from '../../test/e2e/support/flows';
import { buttonsOf } from '../../test/e2e/support/slack-views';
import { SERVICES } from '../../test/e2e/support/built-services';
import { startStack, type Stack } from '../../test/e2e/support/stack';
import { createTestDatabase, createTestNats } from '../../test/infra/test-infra';
import { type Exchange, KubernetesTap, type Mark } from './timeline-kubernetes-tap';

const builds = Number(process.env.BENCH_BUILDS ?? 5);
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 0.02);
const gapMs = Number(process.env.BENCH_GAP_MS ?? 500);
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn';
const projects = Array.from({ length: 4 }, (_, i) =>
  e2eProject(`tl${i}`, i + 1, { qa: [`U0QA${String(i + 1).padStart(2, '0')}001`], owners: [`U0OW${String(i + 1).padStart(2, '0')}001`] }),
);

/** JetStream messages stored after a sequence number: their subjects and the server's time stamps. */
async function streamMarks(jsm: JetStreamManager, stream: string, afterSeq: number): Promise<{ marks: Mark[]; lastSeq: number }> {
  const { state } = await jsm.streams.info(stream);
  const marks: Mark[] = [];
  for (let seq = afterSeq + 1; seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (!m) continue;
    const envelope = m.json<{ type?: string }>();
    marks.push({
      at: m.time.getTime(),
      who: 'nats',
      what: `${stream.replace(/^.*_/, '')} ${m.subject.replace(/^[^.]*\./, '')} (${envelope.type})`,
    });
  }
  return { marks, lastSeq: state.last_seq };
}

const lastSeqOf = async (jsm: JetStreamManager, stream: string): Promise<number> => (await jsm.streams.info(stream)).state.last_seq;

/** The build's events in stream order, at the start of the transaction that appended each. */
async function eventMarks(db: Client, buildId: string): Promise<Mark[]> {
  const { rows } = await db.query<{ stream_version: number; type: string; created_at: Date }>(
    'SELECT stream_version, type, created_at FROM approvals.events WHERE stream_id = $1 ORDER BY stream_version',
    [`build-${buildId}`],
  );
  return rows.map((r) => ({ at: r.created_at.getTime(), who: 'event log', what: `#${r.stream_version} ${r.type} (transaction start)` }));
}

function slackMarks(stack: Stack, from: number, to: number): Mark[] {
  return stack.slack
    .calls()
    .filter((c) => c.at >= from && c.at <= to)
    .map((c) => ({ at: c.at, who: 'slack', what: `${c.method} ${String(c.args.channel ?? c.args.user_id ?? '')}` }));
}

/** The services' log lines that name the build (BENCH_LOG_LEVEL=info for the deployer's and notifier's progress). */
function logMarks(stack: Stack, buildId: string): Mark[] {
  return SERVICES.flatMap((service) =>
    readFileSync(stack.services[service].logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes(buildId))
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { time: string; msg: string };
          return [{ at: Date.parse(entry.time), who: service, what: `log: ${entry.msg}` }];
        } catch {
          return [];
        }
      }),
  );
}

/** The DM with buttons each person got since `since`, once all of them have one. */
function requestDms(stack: Stack, people: string[], since: number): Record<string, SlackMessage> | undefined {
  const dms = people.map((p) => stack.slack.messages(p).find((m) => !m.thread_ts && m.postedAt >= since && buttonsOf(m).length > 0));
  return dms.every(Boolean) ? Object.fromEntries(people.map((p, i) => [p, dms[i]!])) : undefined;
}

/** The hops of one build, from milestones found in its timeline (undefined where one is missing). */
interface Hops {
  total: number;
  [hop: string]: number | undefined;
}

const firstAt = (marks: Mark[], who: string, pattern: RegExp): number | undefined =>
  marks.find((m) => m.who === who && pattern.test(m.what))?.at;

function hopsOf(t0: number, marks: Mark[], dmsAt: number[], kube: Exchange[]): Hops {
  const requested = firstAt(marks, 'nats', /EVENTS .*\(PreviewDeploymentRequested\)/);
  const outcome = firstAt(marks, 'nats', /INPUTS .*\(DeploymentSucceeded\)/);
  const deployed = firstAt(marks, 'nats', /EVENTS .*\(PreviewDeployed\)/);
  const calls = kube.filter((e) => requested !== undefined && outcome !== undefined && e.arrivedAt >= requested && e.arrivedAt <= outcome);
  const first = calls[0]?.arrivedAt;
  const last = calls.at(-1)?.answeredAt;
  const lastDm = Math.max(...dmsAt);
  const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  return {
    total: lastDm - t0,
    'CI → PreviewDeploymentRequested relayed (gateway, approvals, relay)': minus(requested, t0),
    'relayed → first Kubernetes request (deployer takes it)': minus(first, requested),
    'first → last Kubernetes answer (deployer)': minus(last, first),
    '  of which waiting for the fake (sum of requests)': calls.reduce((s, e) => s + ((e.answeredAt ?? e.arrivedAt) - e.arrivedAt), 0),
    '  Kubernetes requests (count)': calls.length,
    'last answer → DeploymentSucceeded stored (deployer)': minus(outcome, last),
    'outcome → PreviewDeployed relayed (approvals, relay)': minus(deployed, outcome),
    'relayed → last DM posted (notifier)': minus(lastDm, deployed),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const nats = await createTestNats();
  const stack = await startStack({ projects, timeScale, database, nats, env: { LOG_LEVEL: logLevel } });
  const tap = new KubernetesTap(stack.kube);
  const db = new Client({ connectionString: database.url });
  let nc: NatsConnection | undefined;
  try {
    await db.connect();
    nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    const inputs = streamName(nats.prefix, 'INPUTS');
    const events = streamName(nats.prefix, 'EVENTS');
    const all: Hops[] = [];
    console.log(
      `time scale ${timeScale}: pods ready after ${(300 * timeScale).toFixed(0)} ms; ${builds} builds, ${gapMs} ms apart; log level ${logLevel}`,
    );
    for (let i = 0; i < builds; i++) {
      const project = projects[i % projects.length];
      const people = [...project.owners, ...(project.qa ?? [])];
      const [inputsSeq, eventsSeq] = [await lastSeqOf(jsm, inputs), await lastSeqOf(jsm, events)];
      const t0 = Date.now();
      const accepted = await stack.ciBuildComplete({
        project: project.id,
        image: `registry.example.org/${project.id}:tl${i}`,
        type: 'branch',
        target: `tl-${i}`,
      });
      const answeredAt = Date.now();
      if (accepted.status !== 202) throw new Error(`CI call answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
      // Looks at the in-process Slack fake only (no request to the services); the times come from the fake.
      const dms = await stack.waitFor('every DM of the build', () => requestDms(stack, people, t0), 30_000);
      const dmsAt = Object.values(dms).map((m) => m.postedAt);
      const buildId = buttonsOf(Object.values(dms)[0])[0].value;
      // The build's trailing work (edits, Home refreshes) is in the timeline too, marked after the last DM.
      await new Promise((r) => setTimeout(r, gapMs));
      const end = Date.now();
      const marks = [
        { at: t0, who: 'CI', what: 'POST /build-complete sent' },
        { at: answeredAt, who: 'gateway', what: `answered ${accepted.status}` },
        ...(await streamMarks(jsm, inputs, inputsSeq)).marks,
        ...(await streamMarks(jsm, events, eventsSeq)).marks,
        ...(await eventMarks(db, buildId)),
        ...tap.marks(t0, end),
        ...slackMarks(stack, t0, end),
        ...Object.entries(dms).map(([p, m]) => ({ at: m.postedAt, who: 'slack', what: `DM with buttons posted to ${p}` })),
        ...(logLevel === 'info' ? logMarks(stack, buildId) : []),
      ].sort((a, b) => a.at - b.at);
      const hops = hopsOf(t0, marks, dmsAt, tap.exchanges);
      all.push(hops);
      console.log(`\n## build ${i + 1} (${buildId}, project ${project.id}): every DM posted after ${hops.total} ms\n`);
      console.log('|    at | until | who | what |\n|---:|---:|---|---|');
      for (const m of marks) {
        const until = m.until === undefined ? '' : `+${m.until - m.at}`;
        const after = m.at - t0 > Math.max(...dmsAt) - t0 ? ' *(after the last DM)*' : '';
        console.log(`| ${m.at - t0} | ${until} | ${m.who} | ${m.what.replace(/\|/g, '\\|')}${after} |`);
      }
    }
    console.log(`\n## hops over ${all.length} builds (ms)\n\n| hop | median | max |\n|---|---:|---:|`);
    for (const hop of Object.keys(all[0])) {
      const values = all.map((h) => h[hop]).filter((v): v is number => v !== undefined);
      if (values.length) console.log(`| ${hop} | ${median(values)} | ${Math.max(...values)} |`);
    }
  } finally {
    await nc?.close();
    await db.end();
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
