import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the retention sweep find finished Slack effects by age without reading the whole table. */
export class IndexDoneEffects1769100000000 implements MigrationInterface {
  name = 'IndexDoneEffects1769100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX effects_done_idx ON notifier.effects (updated_at) WHERE state = 'done'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifier.effects_done_idx`);
  }
}
