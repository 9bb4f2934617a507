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
export async function readCommittedBatch(client: Client, after: Checkpoint, limit: number): Promise<(EventRow & { transaction_id: string })[]> {
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
