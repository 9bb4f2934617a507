import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The builds read model shows when a preview expires, who kept it last, and why an expired build
 * expired. Nullable: rows of older builds stay as they are (`rebuildReadModels` fills them from the
 * log if wanted).
 */
export class BuildsPreviewExpiry1768000000001 implements MigrationInterface {
  name = 'BuildsPreviewExpiry1768000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE approvals.builds
        ADD COLUMN preview_expires_at timestamptz,
        ADD COLUMN kept_by text,
        ADD COLUMN expired_because text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE approvals.builds DROP COLUMN preview_expires_at, DROP COLUMN kept_by, DROP COLUMN expired_because`);
  }
}
