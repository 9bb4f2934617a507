import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The builds read model: one row per build, updated in the append transaction and
 * rebuilt identically by replaying the log (`rebuildReadModels`).
 * `builds_project_created_idx` serves the per-project history (newest first).
 */
export class CreateBuildsReadModel1764100000002 implements MigrationInterface {
  name = 'CreateBuildsReadModel1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approvals.builds (
        id                  text         PRIMARY KEY,
        request_id          text         NOT NULL,
        project             text         NOT NULL,
        type                text         NOT NULL,
        target              text         NOT NULL,
        image               text         NOT NULL,
        status              text         NOT NULL,
        preview_url         text         NOT NULL,
        production_url      text,
        verdicts            jsonb        NOT NULL DEFAULT '[]',
        approvals_required  integer      NOT NULL,
        promoted_by         text,
        closed_by           text,
        superseded_by       text,
        failure_reason      text,
        created_at          timestamptz  NOT NULL,
        updated_at          timestamptz  NOT NULL,
        version             integer      NOT NULL
      )`);
    await q.query(`CREATE INDEX builds_project_created_idx ON approvals.builds (project, created_at DESC, id)`);
    await q.query(`CREATE INDEX builds_target_idx ON approvals.builds (project, type, target, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approvals.builds`);
  }
}
