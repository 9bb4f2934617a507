import { StreamVersionConflict } from './event-store.errors';
import { PreparedStatement, runPrepared } from './pg-statements';
import { SqlExecutor } from './sql-executor';
import { NewEvent, RecordedEvent, StreamRow, recordedEventOf } from './stored-event';

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
    const { rows: found } = await runPrepared<StreamRow>(executor, READ_STREAM, [streamId]);
    const events = found.map((row) => recordedEventOf(row, streamId));
    return { version: events.at(-1)?.version ?? 0, events };
  }

  /**
   * Appends `events` after `expectedVersion` (0: the stream must not exist yet) and
   * returns the new version. One prepared INSERT, no read-then-write:
   *
   * - version `expectedVersion + 1` taken → unique (stream_id, stream_version) violation;
   * - `expectedVersion` > 0 not in the stream → the `EXISTS` guard inserts nothing.
   *
   * Versions are gap-free (every append starts right after an existing version), so "row
   * `expectedVersion` exists and `expectedVersion + 1` does not" is "the stream is at
   * `expectedVersion`"; both cases are a {@link StreamVersionConflict}. A concurrent writer
   * of the same version blocks on the unique index until it commits or rolls back.
   *
   * No NOTIFY here: a transaction that notifies holds Postgres's global notify lock until
   * its commit is flushed, which serializes every appending transaction (measured: 8
   * writers were no faster than 1). Call {@link CommitNotifier.committed} after the commit.
   */
  async appendToStream(executor: SqlExecutor, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<number> {
    if (events.length === 0) return expectedVersion;
    let appended: number;
    try {
      ({ rowCount: appended } =
        events.length === 1
          ? await runPrepared(executor, APPEND_ONE, [streamId, expectedVersion, ...columnsOf(events[0])])
          : await runPrepared(executor, APPEND_MANY, [
              streamId,
              expectedVersion,
              events.map((e) => e.metadata.id),
              events.map((e) => e.type),
              events.map((e) => JSON.stringify(e.data)),
              events.map((e) => JSON.stringify(e.metadata)),
            ]));
    } catch (error) {
      if (isVersionViolation(error)) throw new StreamVersionConflict(streamId, expectedVersion);
      throw error;
    }
    if (appended !== events.length) throw new StreamVersionConflict(streamId, expectedVersion);
    return expectedVersion + events.length;
  }
}

const columnsOf = (e: NewEvent): unknown[] => [e.metadata.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)];

/** Only the stream's columns the caller does not know already; served by the unique (stream_id, stream_version) index. */
const READ_STREAM: PreparedStatement = {
  name: 'approvals_read_stream_v1',
  text: `SELECT position::text AS position, stream_version, type, data, metadata
           FROM approvals.events WHERE stream_id = $1 ORDER BY stream_version`,
};

/** The guard of every append: the expected version is the stream's last (see appendToStream). */
const AT_EXPECTED_VERSION = `($2::int = 0 OR EXISTS (SELECT 1 FROM approvals.events WHERE stream_id = $1 AND stream_version = $2::int))`;

const APPEND_ONE: PreparedStatement = {
  name: 'approvals_append_one_v1',
  text: `INSERT INTO approvals.events (stream_id, stream_version, event_id, type, data, metadata)
         SELECT $1, $2::int + 1, $3::uuid, $4, $5::jsonb, $6::jsonb WHERE ${AT_EXPECTED_VERSION}
         RETURNING stream_version`,
};

const APPEND_MANY: PreparedStatement = {
  name: 'approvals_append_many_v1',
  text: `INSERT INTO approvals.events (stream_id, stream_version, event_id, type, data, metadata)
         SELECT $1, $2::int + e.ord::int, e.id, e.type, e.data, e.metadata
           FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
          WHERE ${AT_EXPECTED_VERSION}
         RETURNING stream_version`,
};

const isVersionViolation = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && constraint === VERSION_CONSTRAINT;
};
