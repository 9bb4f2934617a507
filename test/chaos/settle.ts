import { connect } from 'nats';
import { Client } from 'pg';
import { PREFIX, type ChaosStack } from './chaos-stack';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What was still moving when the settle wait ended. */
export interface SettleResult {
  quiet: boolean;
  waitedMs: number;
  /** When not quiet: each consumer's numbers and each process's /readyz, as evidence of where it stopped. */
  diagnosis?: string[];
  /** The last look: unacked messages per consumer, deadlines not long overdue, pending Slack effects, events. */
  last: { consumers: Record<string, number>; deadlines: number; pendingEffects: number; events: number };
}

/**
 * Waits until nothing moves any more: every JetStream consumer of the run has delivered and
 * had acked everything (the notifier acks an event only after its Slack effects), no attempt
 * waits on a deadline that is not long overdue (those are stuck: the audit reports them), and
 * the event log has not grown for 5 s. Bounded by `timeoutMs`.
 */
export async function settle(stack: ChaosStack, timeoutMs: number): Promise<SettleResult> {
  const started = Date.now();
  let last: SettleResult['last'] = { consumers: {}, deadlines: -1, pendingEffects: -1, events: -1 };
  let quietSince: number | undefined;
  while (Date.now() - started < timeoutMs) {
    const look = await lookAround(stack).catch(() => undefined);
    if (look) {
      const still = Object.values(look.consumers).some((n) => n > 0) || look.deadlines > 0 || look.events !== last.events;
      last = look;
      if (still) quietSince = undefined;
      else quietSince ??= Date.now();
      if (quietSince && Date.now() - quietSince >= 5_000) return { quiet: true, waitedMs: Date.now() - started, last };
    }
    await sleep(1_000);
  }
  return {
    quiet: false,
    waitedMs: Date.now() - started,
    last,
    diagnosis: await diagnose(stack).catch((e: Error) => [`diagnosis failed: ${e.message}`]),
  };
}

/** Why it did not settle: the consumers in detail (is anyone pulling?) and what every process says about itself. */
async function diagnose(stack: ChaosStack): Promise<string[]> {
  const lines: string[] = [];
  const nc = await connect({ servers: stack.nats.url, timeout: 3_000 });
  try {
    const jsm = await nc.jetstreamManager();
    for (const stream of ['INPUTS', 'EVENTS']) {
      for await (const c of jsm.consumers.list(`${PREFIX.toUpperCase()}_${stream}`)) {
        lines.push(
          `consumer ${c.stream_name}/${c.name}: pending ${c.num_pending}, ack pending ${c.num_ack_pending}, redelivered ${c.num_redelivered}, ` +
            `pull requests waiting ${c.num_waiting}, delivered up to ${c.delivered.stream_seq}, ack floor ${c.ack_floor.stream_seq}`,
        );
      }
    }
  } finally {
    await nc.close();
  }
  for (const [name, p] of stack.supervisor.processes) {
    const ready = await fetch(`${p.url}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
      async (r) => `${r.status} ${(await r.text()).slice(0, 300)}`,
      (e: Error) => `no answer (${e.message})`,
    );
    lines.push(`${name} /readyz: ${ready}`);
  }
  return lines;
}

async function lookAround(stack: ChaosStack): Promise<SettleResult['last']> {
  const consumers: Record<string, number> = {};
  const nc = await connect({ servers: stack.nats.url, timeout: 3_000 });
  try {
    const jsm = await nc.jetstreamManager();
    for (const stream of ['INPUTS', 'EVENTS', 'DLQ']) {
      const name = `${PREFIX.toUpperCase()}_${stream}`;
      const info = await jsm.streams.info(name).catch(() => undefined);
      if (!info) continue;
      for await (const c of jsm.consumers.list(name)) consumers[`${name}/${c.name}`] = c.num_pending + c.num_ack_pending;
    }
  } finally {
    await nc.close();
  }
  const db = new Client({ connectionString: stack.postgres.url, connectionTimeoutMillis: 3_000, query_timeout: 10_000 });
  await db.connect();
  try {
    const one = async (sql: string): Promise<number> => Number((await db.query(sql)).rows[0].n);
    return {
      consumers,
      deadlines: await one(`SELECT count(*) AS n FROM approvals.deadlines WHERE due_at > now() - interval '30 seconds'`),
      pendingEffects: await one(`SELECT count(*) AS n FROM notifier.effects WHERE state = 'pending'`),
      events: await one(`SELECT count(*) AS n FROM approvals.events`),
    };
  } finally {
    await db.end();
  }
}
