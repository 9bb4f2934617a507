import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { facts } from '../../test/build-fixtures';
import { openLedger } from './ledger.data-source';
import { MessageLedger } from './message-ledger';

describe('message ledger', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let ledger: MessageLedger;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openLedger(db.url);
    ledger = new MessageLedger(dataSource);
  }, 20_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('creates its tables in the notifier schema by migration, and opening it again changes nothing', async () => {
    const again = await openLedger(db.url);
    const tables = await again.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'notifier' ORDER BY 1`);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['builds', 'effects', 'messages', 'migrations']);
    await again.destroy();
  });

  it('says an effect is new, then resumed while still pending, then done once completed', async () => {
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1')).toEqual({ state: 'new' });
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1')).toEqual({ state: 'resumed', attempts: 2, since: expect.any(Date) });
    await ledger.completeEffect('ev-1', 'post:owner:U1', 'ev-1', { conversation: 'D0001', ts: '1.000100', message: { buildId: 'b-1', key: 'owner:U1' } });
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1')).toEqual({ state: 'done' });
    expect(await ledger.findMessage('b-1', 'owner:U1')).toEqual({ state: 'posted', conversation: 'D0001', ts: '1.000100' });
  });

  it('starts clean after an intent Slack certainly refused was abandoned', async () => {
    await ledger.beginEffect('ev-2', 'reply:x', 'b-1');
    await ledger.abandonEffect('ev-2', 'reply:x');
    expect(await ledger.beginEffect('ev-2', 'reply:x', 'b-1')).toEqual({ state: 'new' });
  });

  it('keeps a build registered once and its progress under lock', async () => {
    await ledger.registerBuild(facts({ buildId: 'b-2' }));
    await ledger.registerBuild(facts({ buildId: 'b-2', image: 'changed:1' }));
    const updated = await ledger.updateProgress('b-2', (p) => ({ ...p, approved: true }));
    expect(updated?.facts.image).toBe('registry.example.org/shop:1.2.3');
    expect((await ledger.findBuild('b-2'))?.progress.approved).toBe(true);
    expect(await ledger.updateProgress('b-unknown', (p) => p)).toBeUndefined();
  });

  it('remembers a message that cannot be posted without overwriting one that was', async () => {
    await ledger.markUnreachable('b-1', 'owner:U1', 'ev-3', 'not_in_channel');
    await ledger.markUnreachable('b-1', 'channel-status', 'ev-3', 'not_in_channel: invite the bot');
    expect(await ledger.findMessage('b-1', 'owner:U1')).toMatchObject({ state: 'posted' });
    expect(await ledger.findMessage('b-1', 'channel-status')).toEqual({ state: 'unreachable', problem: 'not_in_channel: invite the bot' });
  });
});
