import { connect, type JsMsg } from 'nats';
import { Client } from 'pg';
import type { KubernetesFake } from '../../fakes/kubernetes';
import type { SlackFake, SlackMessage, EphemeralMessage } from '../../fakes/slack';

/** One row of approvals.events. */
export interface LoggedEvent {
  position: number;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: any;
  metadata: any;
}

/** A message JetStream dead-lettered: where it was going and why it was given up. */
export interface DeadLetter {
  subject: string;
  /** The dead message's envelope type and correlation id (the build). */
  type: string;
  correlationId: string;
  reason: string;
  originalSubject: string;
  deliveries: string;
}

/** Everything the audit reads once the system is quiet: the event log, the ledger, the DLQ and what the fakes received. */
export interface Evidence {
  events: LoggedEvent[];
  /** approvals.build_requests: CI request id → build id. */
  requests: Map<string, string>;
  /** approvals.builds: build id → read-model status. */
  readModel: Map<string, string>;
  /** approvals.deadlines still waiting (attempt id → build id). */
  openDeadlines: Array<{ attemptId: string; buildId: string; kind: string }>;
  /** approvals.production_locks still held. */
  productionLocks: Array<{ project: string; buildId: string }>;
  /** notifier.messages rows that are not `posted`, and effects still `pending`. */
  unreachableMessages: Array<{ buildId: string; key: string; problem: string | null }>;
  pendingEffects: Array<{ scope: string; key: string; buildId: string | null; attempts: number }>;
  deadLetters: DeadLetter[];
  slackMessages: SlackMessage[];
  ephemerals: EphemeralMessage[];
  kubeObjects: any[];
}

/** Reads the evidence; Postgres and NATS must be up (the run revived them before settling). */
export async function readEvidence(
  databaseUrl: string,
  natsUrl: string,
  prefix: string,
  slack: SlackFake,
  kube: KubernetesFake,
): Promise<Evidence> {
  const db = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await db.connect();
  try {
    const rows = async (sql: string): Promise<any[]> => (await db.query(sql)).rows;
    const events = (
      await rows(`SELECT position, stream_id, stream_version, event_id::text, type, data, metadata FROM approvals.events ORDER BY position`)
    ).map((r) => ({
      position: Number(r.position),
      streamId: r.stream_id,
      version: r.stream_version,
      eventId: r.event_id,
      type: r.type,
      data: r.data,
      metadata: r.metadata,
    }));
    return {
      events,
      requests: new Map((await rows(`SELECT request_id, build_id FROM approvals.build_requests`)).map((r) => [r.request_id, r.build_id])),
      readModel: new Map((await rows(`SELECT id, status FROM approvals.builds`)).map((r) => [r.id, r.status])),
      openDeadlines: (await rows(`SELECT attempt_id, build_id, kind FROM approvals.deadlines`)).map((r) => ({
        attemptId: r.attempt_id,
        buildId: r.build_id,
        kind: r.kind,
      })),
      productionLocks: (await rows(`SELECT project, build_id FROM approvals.production_locks`)).map((r) => ({
        project: r.project,
        buildId: r.build_id,
      })),
      unreachableMessages: (await rows(`SELECT build_id, message_key, problem FROM notifier.messages WHERE state <> 'posted'`)).map(
        (r) => ({ buildId: r.build_id, key: r.message_key, problem: r.problem }),
      ),
      pendingEffects: (await rows(`SELECT scope, effect_key, build_id, attempts FROM notifier.effects WHERE state = 'pending'`)).map(
        (r) => ({ scope: r.scope, key: r.effect_key, buildId: r.build_id, attempts: r.attempts }),
      ),
      deadLetters: await readDeadLetters(natsUrl, prefix),
      slackMessages: slack.messages(),
      ephemerals: slack.ephemerals(),
      kubeObjects: kube.objects(),
    };
  } finally {
    await db.end();
  }
}

/** Every message in the `<PREFIX>_DLQ` stream, read with an ephemeral consumer (nothing is acked away). */
async function readDeadLetters(natsUrl: string, prefix: string): Promise<DeadLetter[]> {
  const nc = await connect({ servers: natsUrl, timeout: 5_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = `${prefix.toUpperCase()}_DLQ`;
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (!info || info.state.messages === 0) return [];
    const letters: DeadLetter[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && letters.length < 1_000; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (!m) continue;
      const header = (name: string) => m.header?.get(name) ?? '';
      let envelope: { type?: string; correlationId?: string } = {};
      try {
        envelope = m.json();
      } catch {
        // not JSON: the reason says why
      }
      letters.push({
        subject: m.subject,
        type: envelope.type ?? '?',
        correlationId: envelope.correlationId ?? '?',
        // Header names of libs/platform/src/messaging/dead-letters.ts.
        reason: header('Deploybot-Dlq-Reason') || headerDump(m),
        originalSubject: header('Deploybot-Original-Subject'),
        deliveries: header('Deploybot-Deliveries'),
      });
    }
    return letters;
  } finally {
    await nc.close();
  }
}

const headerDump = (m: { header?: JsMsg['headers'] }): string => {
  const h = m.header as unknown as { keys?: () => string[]; get(k: string): string } | undefined;
  return h?.keys
    ? h
        .keys()
        .map((k) => `${k}=${h.get(k)}`)
        .join('; ')
        .slice(0, 400)
    : '';
};
