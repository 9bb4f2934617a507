import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deadlines`: one row per attempt that waits on another service (preview, production,
 * teardown), written in the transaction that asks for the work and removed in the one that
 * records its outcome. A row past `due_at` makes approvals record the attempt as failed
 * (deadline-scheduler.ts); the input id `deadline:<attempt>` makes that happen once, however
 * many replicas see it.
 */
export class CreateDeadlines1765000000000 implements MigrationInterface {
  name = 'CreateDeadlines1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approvals.deadlines (
        attempt_id    text         PRIMARY KEY,
        build_id      text         NOT NULL,
        kind          text         NOT NULL CHECK (kind IN ('preview', 'production', 'teardown')),
        requested_at  timestamptz  NOT NULL,
        due_at        timestamptz  NOT NULL
      )`);
    await q.query(`CREATE INDEX deadlines_due_idx ON approvals.deadlines (due_at)`);
    await q.query(`CREATE INDEX deadlines_build_idx ON approvals.deadlines (build_id, kind)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approvals.deadlines`);
  }
}
