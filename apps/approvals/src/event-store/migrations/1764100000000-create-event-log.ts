import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log and the relay's checkpoint.
 *
 * - `position` orders the log globally, but positions are taken at insert, not at commit:
 *   a reader must not assume that everything below a position it has seen is committed.
 * - `transaction_id` (xid8 of the writing transaction) lets the relay read only what is
 *   below the oldest running transaction, so no late commit is ever skipped.
 * - `metadata` holds the envelope fields (id, occurredAt, correlationId, causationId, actor).
 *
 * Stored forever: never edit a migration that has shipped; add a new one.
 */
export class CreateEventLog1764100000000 implements MigrationInterface {
  name = 'CreateEventLog1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS approvals`);
    await q.query(`
      CREATE TABLE approvals.events (
        position        bigserial    PRIMARY KEY,
        stream_id       text         NOT NULL,
        stream_version  integer      NOT NULL CHECK (stream_version > 0),
        event_id        uuid         NOT NULL,
        type            text         NOT NULL,
        data            jsonb        NOT NULL,
        metadata        jsonb        NOT NULL,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        transaction_id  xid8         NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version),
        CONSTRAINT events_event_id_unique UNIQUE (event_id)
      )`);
    await q.query(`CREATE INDEX events_transaction_position_idx ON approvals.events (transaction_id, position)`);
    await q.query(`
      CREATE TABLE approvals.relay_checkpoints (
        name            text         PRIMARY KEY,
        transaction_id  xid8         NOT NULL,
        position        bigint       NOT NULL,
        updated_at      timestamptz  NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approvals.relay_checkpoints`);
    await q.query(`DROP TABLE approvals.events`);
  }
}
