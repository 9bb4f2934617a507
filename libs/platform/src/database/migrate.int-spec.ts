import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { openMigrated } from './migrate';

/** A migration slow enough that replicas starting together would overlap without the lock. */
class CreateThings1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE things.things (id int PRIMARY KEY)');
    await runner.query('SELECT pg_sleep(0.2)');
    await runner.query('INSERT INTO things.things VALUES (1)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE things.things');
  }
}

const dataSource = (url: string) =>
  new DataSource({ type: 'postgres', url, schema: 'things', migrations: [CreateThings1700000000000], migrationsTableName: 'migrations' });

describe('openMigrated (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const opened: DataSource[] = [];
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.destroy()));
    await db.drop();
  });

  it('lets three replicas starting at once take turns: the migration runs once, all three connect', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => openMigrated(db.url, 'things', () => dataSource(db.url))));
    opened.push(...replicas);
    for (const replica of replicas) expect(replica.isInitialized).toBe(true);
    expect(await replicas[0].query('SELECT count(*)::int AS n FROM things.migrations')).toEqual([{ n: 1 }]);
    expect(await replicas[2].query('SELECT id FROM things.things')).toEqual([{ id: 1 }]);
  });
});
