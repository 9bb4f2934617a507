import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CreateEventLog1764100000000 } from './migrations/1764100000000-create-event-log';
import { CreateCommandTables1764100000001 } from './migrations/1764100000001-create-command-tables';
import { CreateBuildsReadModel1764100000002 } from './migrations/1764100000002-create-builds-read-model';

/** Every migration of the approvals schema, oldest first. */
export const approvalsMigrations = [CreateEventLog1764100000000, CreateCommandTables1764100000001, CreateBuildsReadModel1764100000002];

export interface EventLogDataSourceOptions {
  /** Pool size (default 10). */
  poolSize?: number;
  /** Statement timeout in ms (default 10 s): no query may hang a handler forever. */
  statementTimeoutMs?: number;
}

/** The approvals DataSource: raw SQL on a pg pool, schema `approvals`, migrations as classes. */
export function createEventLogDataSource(url: string, options: EventLogDataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: 'approvals',
    migrations: approvalsMigrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    connectTimeoutMS: 5_000,
    extra: {
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'deploybot-approvals',
    },
  });
}

/**
 * Initializes the DataSource and runs pending migrations. Replicas starting together
 * take turns (advisory lock), and the schema exists before TypeORM creates its
 * migrations table in it.
 */
export async function openEventLog(url: string, options: EventLogDataSourceOptions = {}): Promise<DataSource> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('deploybot.approvals.migrations'))`);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS approvals`);
    const dataSource = createEventLogDataSource(url, options);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return dataSource;
  } finally {
    await lock.end().catch(() => undefined);
  }
}
