import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Command-side bookkeeping, written in the same transaction as the events:
 * - `processed_inputs`: every input message id handled, so a redelivery does nothing;
 * - `build_requests`: CI request id → build id (a CI retry of the same image adds no event,
 *   so this map is not derivable from the log and is not rebuilt by a replay);
 * - `production_locks`: the one production deployment in flight per project.
 */
export class CreateCommandTables1764100000001 implements MigrationInterface {
  name = 'CreateCommandTables1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approvals.processed_inputs (
        message_id  text         PRIMARY KEY,
        type        text         NOT NULL,
        outcome     text         NOT NULL,
        handled_at  timestamptz  NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE approvals.build_requests (
        request_id  text         PRIMARY KEY,
        build_id    text         NOT NULL,
        created_at  timestamptz  NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX build_requests_build_idx ON approvals.build_requests (build_id)`);
    await q.query(`
      CREATE TABLE approvals.production_locks (
        project           text         PRIMARY KEY,
        build_id          text         NOT NULL,
        request_event_id  uuid         NOT NULL,
        acquired_at       timestamptz  NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approvals.production_locks`);
    await q.query(`DROP TABLE approvals.build_requests`);
    await q.query(`DROP TABLE approvals.processed_inputs`);
  }
}
