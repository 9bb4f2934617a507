import { StreamVersionConflict } from './event-store.errors';
import { SqlExecutor, rows } from './sql-executor';
import { EventRow, NewEvent, RecordedEvent, recordedEvent } from './stored-event';

/** Channel the command path notifies after a commit that appended events; the relay LISTENs to it. */
export const EVENTS_CHANNEL = 'approvals_events';

/** Constraint whose violation means "someone else appended this version first". */
const VERSION_CONSTRAINT = 'events_stream_version_unique';

export interface ReadStreamResult {
  /** The version of the last event, 0 for a stream that does not exist. */
  version: number;
  events: RecordedEvent[];
}

/**
 * The event log in `approvals.events`: one row per event, streams ordered by
 * `stream_version`, the log by `position`. Appends are optimistic: the caller names the
 * version it decided against and gets a {@link StreamVersionConflict} when that is stale.
 *
 * Every method takes the executor to run on, so an append can share a transaction with
 * the input's dedup record and the read models (pass the transaction's EntityManager),
 * or run on its own (pass the DataSource: one autocommit statement).
 */
export class PostgresEventStore {
  async readStream(executor: SqlExecutor, streamId: string): Promise<ReadStreamResult> {
    const found = await rows<EventRow>(
      executor,
      `SELECT position::text AS position, stream_id, stream_version, type, data, metadata
         FROM approvals.events WHERE stream_id = $1 ORDER BY events.stream_version`,
      [streamId],
    );
    const events = found.map(recordedEvent);
    return { version: events.at(-1)?.version ?? 0, events };
  }

  /**
   * Appends `events` after `expectedVersion` (0: the stream must not exist yet) and
   * returns the new version. One statement: the version check and the insert.
   *
   * No NOTIFY here: a transaction that notifies holds Postgres's global notify lock until
   * its commit is flushed, which serializes every appending transaction (measured: 8
   * writers were no faster than 1). Call {@link CommitNotifier.committed} after the commit.
   */
  async appendToStream(executor: SqlExecutor, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<number> {
    if (events.length === 0) return expectedVersion;
    let result: { appended: number }[];
    try {
      result = await rows<{ appended: number }>(
        executor,
        `WITH current AS (
           SELECT coalesce(max(stream_version), 0) AS version FROM approvals.events WHERE stream_id = $1
         ), inserted AS (
           INSERT INTO approvals.events (stream_id, stream_version, event_id, type, data, metadata)
           SELECT $1, $2::int + e.ord::int, e.id, e.type, e.data, e.metadata
             FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord), current
            WHERE current.version = $2::int
           RETURNING 1
         )
         SELECT count(*)::int AS appended FROM inserted`,
        [
          streamId,
          expectedVersion,
          events.map((e) => e.metadata.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      );
    } catch (error) {
      if (isVersionViolation(error)) throw new StreamVersionConflict(streamId, expectedVersion);
      throw error;
    }
    if (result[0]?.appended !== events.length) throw new StreamVersionConflict(streamId, expectedVersion);
    return expectedVersion + events.length;
  }
}

const isVersionViolation = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && constraint === VERSION_CONSTRAINT;
};
