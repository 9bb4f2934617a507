import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { loadEnvironment } from '@app/platform';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { forgetSlackEffects } from './effects.retention';
import { LedgerRetentionService } from './ledger-retention.service';
import { openLedger } from './ledger.data-source';
import { PostgresMessageLedger } from './message-ledger.adapter';

let database: { url: string; drop(): Promise<void> };
let db: DataSource;
let ledger: PostgresMessageLedger;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openLedger(database.url);
  ledger = new PostgresMessageLedger(db);
}, 20_000);

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const claim = { holder: 'test', ms: 30_000 };
/** A post carried out `daysAgo` days ago (intent, then result), or left pending. */
async function effect(scope: string, key: string, daysAgo: number, state: 'done' | 'pending' = 'done'): Promise<void> {
  await ledger.beginEffect(scope, key, 'b1', claim);
  if (state === 'done') await ledger.completeEffect(scope, key, 'e1', { conversation: 'D1', ts: '1.1' });
  await db.query(`UPDATE notifier.effects SET updated_at = now() - make_interval(days => $3) WHERE scope = $1 AND effect_key = $2`, [
    scope,
    key,
    daysAgo,
  ]);
}
const left = async (): Promise<string[]> =>
  (await db.query(`SELECT scope || '/' || effect_key AS k FROM notifier.effects ORDER BY 1`)).map((r: { k: string }) => r.k);

describe('retention of Slack effect records', () => {
  it('deletes old finished posts of one event and old tracked posts of a build, and keeps the rest', async () => {
    await effect('event-old', 'reply:owner:U1', 50);
    await effect('event-young', 'reply:owner:U1', 10);
    await effect('build:b1', 'post:qa:U2', 50);
    await effect('build:b1', 'ready:U3', 50); // a once-per-build reply: a later event of an open build may ask again
    await effect('event-stuck', 'reply:owner:U1', 50, 'pending'); // may be in flight

    expect(await forgetSlackEffects(db, 45, 1)).toBe(2);

    expect(await left()).toEqual(['build:b1/ready:U3', 'event-stuck/reply:owner:U1', 'event-young/reply:owner:U1']);
  });

  it('refuses a retention shorter than 38 days, while an event can still come back from the DLQ', async () => {
    await expect(forgetSlackEffects(db, 14)).rejects.toThrow(/at least 38 days/);
  });

  it('sweeps with SLACK_EFFECTS_RETENTION_DAYS from the environment, which refuses less than 38 days', async () => {
    await effect('event-sweep', 'reply:owner:U9', 41);
    const env = (days: string) =>
      loadEnvironment('notifier', { DATABASE_URL: database.url, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_EFFECTS_RETENTION_DAYS: days });
    const service = new LedgerRetentionService(db, { env: env('40'), projects: [] } as never);

    expect(await service.sweep()).toBe(1);
    expect(await left()).not.toContain('event-sweep/reply:owner:U9');
    expect(() => env('7')).toThrow(/SLACK_EFFECTS_RETENTION_DAYS/);
  });
});
