import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { RollbackRequested } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { eventsOf, liveBuild, openApprovals, promote, qaVerdict, succeeded } from '../../test/approvals-harness';
import { rows } from '../event-store/sql-executor';
import type { BuildInputsService } from './build-inputs.service';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: DataSource;
let inputs: BuildInputsService;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ db, inputs, close } = await openApprovals(database.url));
});

afterAll(async () => {
  await close();
  await database.drop();
});

const digestOf = (n: number) => `sha256:${String(n).repeat(64)}`;
const rollback = (buildId: string, user = 'U0OWNER02'): RollbackRequested => ({
  id: randomUUID(),
  type: 'RollbackRequested',
  streamId: `input-${buildId}`,
  version: 0,
  occurredAt: new Date().toISOString(),
  correlationId: buildId,
  causationId: randomUUID(),
  actor: { kind: 'slack-user', id: user },
  data: { buildId, user, origin: { channel: 'C0123456789', messageTs: '9.9' } },
});
const last = async (buildId: string) => (await eventsOf(db, `build-${buildId}`)).at(-1)!;
const lockOf = async () =>
  (await rows<{ build_id: string }>(db, `SELECT build_id FROM approvals.production_locks WHERE project = 'test1'`))[0];
const deadlineIds = async (buildId: string) =>
  (
    await rows<{ id: string }>(db, `SELECT attempt_id AS id FROM approvals.deadlines WHERE build_id = $1 AND kind = 'production'`, [
      buildId,
    ])
  ).map((r) => r.id);

const viewOf = async (buildId: string) =>
  (
    await rows<{ status: string; release: number | null; replaced_by: string | null; replaced_by_release: number | null }>(
      db,
      `SELECT status, release, replaced_by, replaced_by_release FROM approvals.builds WHERE id = $1`,
      [buildId],
    )
  )[0];
/** The transaction that appended an event (two events appended together share it). */
const transactionOf = async (eventId: string) =>
  (await rows<{ tx: string }>(db, `SELECT transaction_id::text AS tx FROM approvals.events WHERE event_id = $1`, [eventId]))[0]?.tx;

/** A build of test1 through QA and production; its production pods report `digest`. */
async function ship(target: string, n: number): Promise<string> {
  const buildId = await liveBuild(db, inputs, { target, image: `registry.example.org/shop:${n}`, digest: digestOf(n) });
  await inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve'));
  await inputs.promoteRequested(promote(buildId));
  await inputs.deploymentSucceeded(succeeded(buildId, `${buildId}:production:1`, 'production', 'https://example.org', digestOf(n)));
  return buildId;
}

describe('rolling production back on a real event log', () => {
  it('refuses with the reason, on the clicked build, when the project has one release only', async () => {
    const first = await ship('rb-first', 1);
    await inputs.rollbackRequested(rollback(first));
    expect(await last(first)).toMatchObject({
      type: 'ActionDenied',
      data: { action: 'rollback', reason: 'nothing to roll back to: this is the first production release of Testing One' },
    });
  });

  it('deploys the previous release again under the production lock and a deadline, then records release 3', async () => {
    const [first] = (await rows<{ id: string }>(db, `SELECT id FROM approvals.builds WHERE target = 'rb-first'`)).map((r) => r.id);
    const second = await ship('rb-second', 2);
    expect(await last(second)).toMatchObject({
      type: 'PreviewTeardownRequested',
    });
    const shipped = (await eventsOf(db, `build-${second}`)).find((e) => e.type === 'ProductionDeployed')!;
    expect(shipped.data).toMatchObject({
      release: 2,
      previous: { buildId: first, image: `registry.example.org/shop@${digestOf(1)}`, release: 1 },
    });
    // The first release's own stream says it left production, in the same transaction as release 2.
    const left = await last(first);
    expect(left).toMatchObject({
      type: 'ProductionReplaced',
      data: { buildId: first, replacedBy: second, release: 2, by: 'U0OWNER01', rolledBack: false },
    });
    expect(await viewOf(first)).toEqual({ status: 'replaced', release: 1, replaced_by: second, replaced_by_release: 2 });
    expect(await transactionOf(left.event_id)).toEqual(expect.any(String));
    expect(await transactionOf(left.event_id)).toBe(await transactionOf(shipped.event_id));

    await inputs.rollbackRequested(rollback(second));
    expect(await last(first)).toMatchObject({
      type: 'ProductionDeploymentRequested',
      data: { attemptId: `${first}:production:2`, image: `registry.example.org/shop@${digestOf(1)}`, by: 'U0OWNER02', rollbackOf: second },
    });
    expect(await lockOf()).toEqual({ build_id: first });
    expect(await deadlineIds(first)).toEqual([`${first}:production:2`]);

    // A second click while the rollback runs is refused: production is busy.
    await inputs.rollbackRequested(rollback(second, 'U0OWNER01'));
    expect(await last(second)).toMatchObject({
      type: 'ActionDenied',
      data: { action: 'rollback', reason: expect.stringContaining('is being deployed') },
    });

    await inputs.deploymentSucceeded(succeeded(first, `${first}:production:2`, 'production', 'https://example.org', digestOf(1)));
    expect(await last(first)).toMatchObject({
      type: 'ProductionDeployed',
      data: { by: 'U0OWNER02', release: 3, rollbackOf: second, previous: { buildId: second, release: 2 } },
    });
    expect(await lockOf()).toBeUndefined();
    expect(await deadlineIds(first)).toEqual([]);
    expect(await last(second)).toMatchObject({
      type: 'ProductionReplaced',
      data: { buildId: second, replacedBy: first, release: 3, by: 'U0OWNER02', rolledBack: true },
    });
    expect(await viewOf(second)).toEqual({ status: 'rolled-back', release: 2, replaced_by: first, replaced_by_release: 3 });
    expect(await viewOf(first)).toEqual({ status: 'in-production', release: 3, replaced_by: null, replaced_by_release: null });

    // The replaced release no longer runs: its Roll back is refused, naming the build that does.
    await inputs.rollbackRequested(rollback(second));
    expect(await last(second)).toMatchObject({
      type: 'ActionDenied',
      data: { reason: `this build is no longer what runs in production (build ${first} is); roll back from that build's announcement` },
    });
  });
});
