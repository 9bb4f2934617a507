import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { buildCompleted, eventsOf, openApprovals, testConfig } from '../../test/approvals-harness';
import type { BuildInputsService } from '../commands/build-inputs.service';
import { rows } from '../event-store/sql-executor';
import { DEFAULT_APPROVALS_OPTIONS } from '../approvals.options';
import { forgetProcessedInputs, MIN_PROCESSED_INPUT_DAYS } from './processed-inputs.retention';
import { RetentionService } from './retention.service';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let approvals: { db: DataSource; inputs: BuildInputsService; close(): Promise<void> };

beforeAll(async () => {
  database = await createTestDatabase();
  approvals = await openApprovals(database.url);
});

afterAll(async () => {
  await approvals?.close();
  await database?.drop();
});

const handledDaysAgo = (messageId: string, days: number) =>
  approvals.db.query(`UPDATE approvals.processed_inputs SET handled_at = now() - make_interval(days => $2) WHERE message_id = $1`, [
    messageId,
    days,
  ]);
const recorded = async (messageId: string) =>
  (await rows(approvals.db, `SELECT 1 FROM approvals.processed_inputs WHERE message_id = $1`, [messageId])).length === 1;

describe('retention of processed-input records', () => {
  it('deletes the records older than the retention, keeps the younger ones, and never touches the event log', async () => {
    const old = buildCompleted({ target: 'retention-old' });
    const young = buildCompleted({ target: 'retention-young' });
    await approvals.inputs.buildCompleted(old);
    await approvals.inputs.buildCompleted(young);
    await handledDaysAgo(old.id, 50);
    await handledDaysAgo(young.id, 30);
    const eventsBefore = (await eventsOf(approvals.db)).length;

    expect(await forgetProcessedInputs(approvals.db, 45, 1)).toBe(1);

    expect(await recorded(old.id)).toBe(false);
    expect(await recorded(young.id)).toBe(true);
    expect((await eventsOf(approvals.db)).length).toBe(eventsBefore);
    // A redelivery of the young input still does nothing.
    expect((await approvals.inputs.buildCompleted(young)).kind).toBe('duplicate');
  });

  it('keeps the record of a timer or deadline whose row is still there (it would fire the input again)', async () => {
    await approvals.db.query(
      `INSERT INTO approvals.deadlines (attempt_id, build_id, kind, requested_at, due_at) VALUES ('t-kept', 'b-kept', 'preview-expiry', now(), now())`,
    );
    await approvals.db.query(
      `INSERT INTO approvals.processed_inputs (message_id, type, outcome, handled_at)
       VALUES ('timer:t-kept', 'TimerFired', 'test', now() - interval '60 days'), ('timer:t-gone', 'TimerFired', 'test', now() - interval '60 days')`,
    );

    await forgetProcessedInputs(approvals.db, 45);

    expect(await recorded('timer:t-kept')).toBe(true);
    expect(await recorded('timer:t-gone')).toBe(false);
  });

  it(`refuses a retention shorter than ${MIN_PROCESSED_INPUT_DAYS} days, while a message can still come back from the DLQ`, async () => {
    await expect(forgetProcessedInputs(approvals.db, 30)).rejects.toThrow(/at least 38 days/);
  });

  it('sweeps with PROCESSED_INPUTS_RETENTION_DAYS from the environment, which refuses less than 38 days', async () => {
    const input = buildCompleted({ target: 'retention-sweep' });
    await approvals.inputs.buildCompleted(input);
    await handledDaysAgo(input.id, 40);
    const config = testConfig(database.url, undefined, { PROCESSED_INPUTS_RETENTION_DAYS: '39' });
    const service = new RetentionService(approvals.db, config, DEFAULT_APPROVALS_OPTIONS);

    expect(await service.sweep()).toBe(1);
    expect(await recorded(input.id)).toBe(false);
    expect(() => testConfig(database.url, undefined, { PROCESSED_INPUTS_RETENTION_DAYS: '7' })).toThrow(/PROCESSED_INPUTS_RETENTION_DAYS/);
  });
});
