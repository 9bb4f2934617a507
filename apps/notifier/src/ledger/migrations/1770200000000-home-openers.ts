import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who has opened deploybot's App Home: only their Homes are republished when a build of theirs
 * changes (one row per person, so the table stays as small as the projects file's people).
 */
export class HomeOpeners1770200000000 implements MigrationInterface {
  name = 'HomeOpeners1770200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notifier.home_openers (user_id text PRIMARY KEY, last_opened_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifier.home_openers`);
  }
}
