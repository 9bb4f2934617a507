import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { behavesAsTheMessageLedger } from '../../test/message-ledger.contract';
import { openLedger } from './ledger.data-source';
import { PostgresMessageLedger } from './message-ledger.adapter';

describe('message ledger', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let ledger: PostgresMessageLedger;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openLedger(db.url);
    ledger = new PostgresMessageLedger(dataSource);
  }, 20_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('creates its tables in the notifier schema by migration, and opening it again changes nothing', async () => {
    const again = await openLedger(db.url);
    const tables = await again.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'notifier' ORDER BY 1`);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual([
      'builds',
      'effects',
      'home_openers',
      'messages',
      'migrations',
    ]);
    await again.destroy();
  });

  behavesAsTheMessageLedger(() => ledger);
});
