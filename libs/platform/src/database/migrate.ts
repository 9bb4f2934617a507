import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Connects a DataSource and runs its pending migrations while holding a Postgres advisory
 * lock named after the schema, so replicas starting at the same moment take turns instead
 * of racing to create the same tables. The schema is created first: TypeORM keeps its
 * migrations table in it. A DataSource whose migrations fail is closed again.
 */
export async function openMigrated(url: string, schema: string, create: () => DataSource): Promise<DataSource> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`deploybot.${schema}.migrations`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
    const dataSource = create();
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return dataSource;
  } finally {
    // Ending the session releases the lock.
    await lock.end().catch(() => undefined);
  }
}
