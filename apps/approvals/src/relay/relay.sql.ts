import type { Client } from 'pg';
import type { EventRow } from '../event-store/stored-event';

/** Where the relay is: the last published (transaction id, position). */
export interface Checkpoint {
  transactionId: string;
  position: string;
}

export const INITIAL_CHECKPOINT: Checkpoint = { transactionId: '0', position: '0' };

/**
 * The next committed events after `after`, in (transaction id, position) order, from
 * transactions older than every transaction still running: those can no longer gain rows,
 * so nothing below the returned ones can appear later.
 */
export async function readCommittedBatch(
  client: Client,
  after: Checkpoint,
  limit: number,
): Promise<(EventRow & { transaction_id: string })[]> {
  const result = await client.query<EventRow & { transaction_id: string }>(
    `SELECT position::text AS position, transaction_id::text AS transaction_id, stream_id, stream_version, type, data, metadata
       FROM approvals.events
      WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.transaction_id, events.position
      LIMIT $3`,
    [after.transactionId, after.position, limit],
  );
  return result.rows;
}

export async function readCheckpoint(client: Client, name: string): Promise<Checkpoint> {
  const result = await client.query<{ transaction_id: string; position: string }>(
    `SELECT transaction_id::text AS transaction_id, position::text AS position FROM approvals.relay_checkpoints WHERE name = $1`,
    [name],
  );
  const row = result.rows[0];
  return row ? { transactionId: row.transaction_id, position: row.position } : { ...INITIAL_CHECKPOINT };
}

export async function saveCheckpoint(client: Client, name: string, checkpoint: Checkpoint): Promise<void> {
  await client.query(
    `INSERT INTO approvals.relay_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::xid8, $3::bigint, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
    [name, checkpoint.transactionId, checkpoint.position],
  );
}

/**
 * A build held back by the relay: its first event that could not be published, and every later
 * one of its stream, wait here while the relay goes on with other builds. Kept as a row of
 * `relay_checkpoints` named `<relay>/parked/<stream id>` holding that first event's place, written
 * before the relay's own checkpoint moves past it (so nothing is skipped by a crash in between).
 */
export interface ParkedStream {
  streamId: string;
  from: Checkpoint;
  since: Date;
}

const parkedPrefix = (name: string) => `${name}/parked/`;

export async function readParked(client: Client, name: string): Promise<ParkedStream[]> {
  const result = await client.query<{ name: string; transaction_id: string; position: string; updated_at: Date }>(
    `SELECT name, transaction_id::text AS transaction_id, position::text AS position, updated_at
       FROM approvals.relay_checkpoints WHERE starts_with(name, $1) ORDER BY transaction_id, position`,
    [parkedPrefix(name)],
  );
  return result.rows.map((row) => ({
    streamId: row.name.slice(parkedPrefix(name).length),
    from: { transactionId: row.transaction_id, position: row.position },
    since: row.updated_at,
  }));
}

/** Holds `streamId` back from `from` on (or moves the place it is held from, once earlier events went out). */
export async function saveParked(client: Client, name: string, streamId: string, from: Checkpoint): Promise<void> {
  await saveCheckpoint(client, `${parkedPrefix(name)}${streamId}`, from);
}

export async function deleteParked(client: Client, name: string, streamId: string): Promise<void> {
  await client.query(`DELETE FROM approvals.relay_checkpoints WHERE name = $1`, [`${parkedPrefix(name)}${streamId}`]);
}

/** The held events of one stream, from its parked place up to the relay's checkpoint, in version order. */
export async function readParkedEvents(
  client: Client,
  parked: ParkedStream,
  upTo: Checkpoint,
  limit: number,
): Promise<(EventRow & { transaction_id: string })[]> {
  const result = await client.query<EventRow & { transaction_id: string }>(
    `SELECT position::text AS position, transaction_id::text AS transaction_id, stream_id, stream_version, type, data, metadata
       FROM approvals.events
      WHERE stream_id = $1
        AND (transaction_id, position) >= ($2::xid8, $3::bigint)
        AND (transaction_id, position) <= ($4::xid8, $5::bigint)
      ORDER BY stream_version
      LIMIT $6`,
    [parked.streamId, parked.from.transactionId, parked.from.position, upTo.transactionId, upTo.position, limit],
  );
  return result.rows;
}
