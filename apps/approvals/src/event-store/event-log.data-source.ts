import { DataSource } from 'typeorm';
import { openMigrated } from '@app/platform';
import { CreateEventLog1764100000000 } from './migrations/1764100000000-create-event-log';
import { CreateCommandTables1764100000001 } from './migrations/1764100000001-create-command-tables';
import { CreateBuildsReadModel1764100000002 } from './migrations/1764100000002-create-builds-read-model';
import { CreateDeadlines1765000000000 } from './migrations/1765000000000-create-deadlines';
import { IndexProductionDeployments1767000000000 } from './migrations/1767000000000-index-production-deployments';
import { DeadlinesHoldTimers1768000000000 } from './migrations/1768000000000-deadlines-hold-timers';
import { BuildsPreviewExpiry1768000000001 } from './migrations/1768000000001-builds-preview-expiry';
import { IndexProcessedInputsAge1769100000000 } from './migrations/1769100000000-index-processed-inputs-age';
import { BuildsReleases1770300000000 } from './migrations/1770300000000-builds-releases';

/** Every migration of the approvals schema, oldest first. */
export const approvalsMigrations = [
  CreateEventLog1764100000000,
  CreateCommandTables1764100000001,
  CreateBuildsReadModel1764100000002,
  CreateDeadlines1765000000000,
  IndexProductionDeployments1767000000000,
  DeadlinesHoldTimers1768000000000,
  BuildsPreviewExpiry1768000000001,
  IndexProcessedInputsAge1769100000000,
  BuildsReleases1770300000000,
];

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

/** Initializes the DataSource and runs pending migrations (replicas take turns). */
export function openEventLog(url: string, options: EventLogDataSourceOptions = {}): Promise<DataSource> {
  return openMigrated(url, 'approvals', () => createEventLogDataSource(url, options));
}
