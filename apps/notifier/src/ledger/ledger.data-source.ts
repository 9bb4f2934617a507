import { DataSource } from 'typeorm';
import { ensureDatabase, openMigrated } from '@app/platform';
import { LEDGER_ENTITIES, LEDGER_SCHEMA } from './ledger.entities';
import { CreateLedger1764000000000 } from './migrations/1764000000000-create-ledger';
import { ClaimEffects1766000000000 } from './migrations/1766000000000-claim-effects';
import { IndexDoneEffects1769100000000 } from './migrations/1769100000000-index-done-effects';
import { HomeOpeners1770200000000 } from './migrations/1770200000000-home-openers';

/** The ledger's DataSource: schema `notifier`, migrations only (no synchronize), every query bounded in time. */
export const createLedgerDataSource = (url: string): DataSource =>
  new DataSource({
    type: 'postgres',
    url,
    schema: LEDGER_SCHEMA,
    entities: LEDGER_ENTITIES,
    migrations: [CreateLedger1764000000000, ClaimEffects1766000000000, IndexDoneEffects1769100000000, HomeOpeners1770200000000],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    connectTimeoutMS: 5_000,
    extra: { max: 5, query_timeout: 10_000, statement_timeout: 10_000 },
  });

/** Creates the database if needed, connects, and brings the schema up to date (replicas take turns). */
export async function openLedger(url: string): Promise<DataSource> {
  await ensureDatabase(url);
  return openMigrated(url, LEDGER_SCHEMA, () => createLedgerDataSource(url));
}
