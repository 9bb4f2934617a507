import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A partial index over the log's `ProductionDeployed` events, newest first: the production
 * history (`releases` of the slash command, the release production runs in `status`) is read
 * from the log itself, and without it each read would scan every event.
 */
export class IndexProductionDeployments1767000000000 implements MigrationInterface {
  name = 'IndexProductionDeployments1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_production_deployed_idx ON approvals.events (position DESC) WHERE type = 'ProductionDeployed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX approvals.events_production_deployed_idx`);
  }
}
