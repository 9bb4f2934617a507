import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the retention sweep find processed-input records by age without reading the whole table. */
export class IndexProcessedInputsAge1769100000000 implements MigrationInterface {
  name = 'IndexProcessedInputsAge1769100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX processed_inputs_handled_at_idx ON approvals.processed_inputs (handled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX approvals.processed_inputs_handled_at_idx`);
  }
}
