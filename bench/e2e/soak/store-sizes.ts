import { connect } from 'nats';
import { Client } from 'pg';

/** One Postgres table of deploybot's: rows and bytes on disk (table, indexes and TOAST). */
export interface TableSize {
  table: string;
  rows: number;
  bytes: number;
}

/** One JetStream stream (a KV bucket is a stream `KV_<bucket>`): messages kept and bytes. */
export interface StreamSize {
  stream: string;
  messages: number;
  bytes: number;
}

/**
 * Every table of the `approvals` and `notifier` schemas with its row count and
 * pg_total_relation_size. Row counts are exact (count(*)): the soak's tables are small enough.
 */
export async function tableSizes(databaseUrl: string): Promise<TableSize[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table: string; bytes: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS table, pg_total_relation_size(format('%I.%I', schemaname, tablename)) AS bytes
         FROM pg_tables WHERE schemaname IN ('approvals', 'notifier') ORDER BY 1`,
    );
    const sizes: TableSize[] = [];
    for (const t of tables.rows) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.table}`);
      sizes.push({ table: t.table, rows: Number(rows[0].n), bytes: Number(t.bytes) });
    }
    return sizes;
  } finally {
    await client.end();
  }
}

/** The streams and KV buckets under NATS subject prefix `prefix` (`<P>_…` and `KV_<P>_…`). */
export async function streamSizes(natsUrl: string, prefix: string): Promise<StreamSize[]> {
  const nc = await connect({ servers: natsUrl, timeout: 3_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const upper = prefix.toUpperCase();
    const sizes: StreamSize[] = [];
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (!name.startsWith(`${upper}_`) && !name.startsWith(`KV_${upper}_`)) continue;
      sizes.push({ stream: name.replace(upper, '<P>'), messages: info.state.messages, bytes: info.state.bytes });
    }
    return sizes.sort((a, b) => a.stream.localeCompare(b.stream));
  } finally {
    await nc.close();
  }
}
