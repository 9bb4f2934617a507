import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The builds read model shows a shipped build's release number and, once a later release runs in
 * production, which build replaced it as which release. Nullable: rows of older builds stay as
 * they are (`rebuildReadModels` fills `release` from the log if wanted).
 */
export class BuildsReleases1770300000000 implements MigrationInterface {
  name = 'BuildsReleases1770300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approvals.builds
        ADD COLUMN release integer,
        ADD COLUMN replaced_by text,
        ADD COLUMN replaced_by_release integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE approvals.builds DROP COLUMN release, DROP COLUMN replaced_by, DROP COLUMN replaced_by_release`);
  }
}
