import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import {
  buildCompleted,
  closeRequest,
  eventsOf,
  failed,
  liveBuild,
  openApprovals,
  promote,
  qaVerdict,
  succeeded,
} from '../../test/approvals-harness';
import type { BuildInputsService } from '../commands/build-inputs.service';
import { rows } from '../event-store/sql-executor';
import { DeadlineScheduler } from './deadline-scheduler';

/*
 * Deadlines on a real event log: ROLLOUT_TIMEOUT_SECONDS=1 and DEADLINE_GRACE_SECONDS=0, so an
 * attempt is due one second after it was asked for; the schedulers are driven by fireDue().
 * Each "replica" is its own connection pool and service instance, as separate processes are.
 */
const ENV = { ROLLOUT_TIMEOUT_SECONDS: '1', DEADLINE_GRACE_SECONDS: '0' };
const DIGEST = `sha256:${'c'.repeat(64)}`;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let replicas: { db: DataSource; inputs: BuildInputsService; scheduler: DeadlineScheduler; close(): Promise<void> }[];
let db: DataSource;
let inputs: BuildInputsService;

const openReplica = async () => {
  const opened = await openApprovals(database.url, ENV);
  return { ...opened, scheduler: new DeadlineScheduler(opened.db, opened.inputs, { deadlineCheckIntervalMs: 60_000 }) };
};

beforeAll(async () => {
  database = await createTestDatabase();
  replicas = [await openReplica(), await openReplica()];
  ({ db, inputs } = replicas[0]);
});

afterAll(async () => {
  for (const r of replicas) await r.close();
  await database.drop();
});

const typesOf = async (buildId: string) => (await eventsOf(db, `build-${buildId}`)).map((e) => e.type);
const lastOf = async (buildId: string) => (await eventsOf(db, `build-${buildId}`)).at(-1)!;
const passDeadline = () => new Promise((r) => setTimeout(r, 1_100));
const approvedBuild = async (target: string, digest?: string) => {
  const buildId = await liveBuild(db, inputs, { target, digest });
  await inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve'));
  return buildId;
};

describe('deadlines owned by approvals', () => {
  it('fails a production deployment the deployer never answered, releases the lock, and lets the owner try again', async () => {
    const buildId = await approvedBuild('hung-production');
    await inputs.promoteRequested(promote(buildId));
    await passDeadline();
    expect(await replicas[0].scheduler.fireDue()).toBeGreaterThanOrEqual(1);

    const failure = await lastOf(buildId);
    expect(failure).toMatchObject({ type: 'ProductionDeploymentFailed', data: { cause: 'deadline', attempt: 1, by: 'U0OWNER01' } });
    expect(failure.data.reason).toMatch(/^no answer from the deployer within 1 s for the production deployment/);
    expect(await rows(db, `SELECT * FROM approvals.production_locks WHERE build_id = $1`, [buildId])).toEqual([]);

    await inputs.promoteRequested(promote(buildId));
    expect(await lastOf(buildId)).toMatchObject({
      type: 'ProductionDeploymentRequested',
      data: { attempt: 2, attemptId: `${buildId}:production:2` },
    });
    await inputs.deploymentFailed(failed(buildId, `${buildId}:production:2`, 'production', 'CrashLoopBackOff')); // frees the project for the next test
  });

  it('fires once with two replicas looking at the same time', async () => {
    const buildId = await approvedBuild('two-replicas');
    await inputs.promoteRequested(promote(buildId));
    await passDeadline();
    await Promise.all(replicas.map((r) => r.scheduler.fireDue()));
    expect((await typesOf(buildId)).filter((t) => t === 'ProductionDeploymentFailed')).toHaveLength(1);
    expect(await rows(db, `SELECT * FROM approvals.deadlines WHERE build_id = $1`, [buildId])).toEqual([]);
  });

  it('survives a restart: a deadline set before it fires in a service started after', async () => {
    await inputs.buildCompleted(buildCompleted({ target: 'restart' }), 'b-restart');
    await replicas[1].close();
    replicas[1] = await openReplica(); // a fresh process: nothing in memory
    await passDeadline();
    await replicas[1].scheduler.fireDue();
    expect(await lastOf('b-restart')).toMatchObject({ type: 'PreviewDeploymentFailed', data: { cause: 'deadline' } });
  });

  it('does nothing when the outcome came in time', async () => {
    const buildId = await liveBuild(db, inputs, { target: 'in-time' });
    await passDeadline();
    await replicas[0].scheduler.fireDue();
    expect(await typesOf(buildId)).toEqual(['BuildRegistered', 'PreviewDeploymentRequested', 'PreviewDeployed']);
  });

  it('records a late outcome of an expired attempt and changes nothing', async () => {
    const buildId = await approvedBuild('late');
    await inputs.promoteRequested(promote(buildId));
    await passDeadline();
    await replicas[0].scheduler.fireDue();
    await inputs.deploymentSucceeded(succeeded(buildId, `${buildId}:production:1`, 'production', 'https://example.org'));
    expect((await typesOf(buildId)).slice(-2)).toEqual(['ProductionDeploymentFailed', 'LateOutcomeRecorded']);
    const [row] = await rows<{ status: string }>(db, `SELECT status FROM approvals.builds WHERE id = $1`, [buildId]);
    expect(row.status).toBe('production-failed');
  });

  it('fails a teardown the deployer never answered, and Close tries again', async () => {
    const buildId = await liveBuild(db, inputs, { target: 'teardown' });
    await inputs.closeRequested(closeRequest(buildId));
    await passDeadline();
    await replicas[0].scheduler.fireDue();
    expect(await lastOf(buildId)).toMatchObject({
      type: 'PreviewTeardownFailed',
      data: { attemptId: `${buildId}:teardown:1`, cause: 'deadline' },
    });
    await inputs.closeRequested(closeRequest(buildId));
    expect(await lastOf(buildId)).toMatchObject({
      type: 'PreviewTeardownRequested',
      data: { attemptId: `${buildId}:teardown:2`, reason: 'closed' },
    });
  });

  it('records a dead-lettered request as the same failure, once', async () => {
    const buildId = await approvedBuild('dead-letter');
    await inputs.promoteRequested(promote(buildId));
    const expiry = {
      inputId: `dead-letter:${buildId}:production:1`,
      buildId,
      attemptId: `${buildId}:production:1`,
      kind: 'production' as const,
      cause: 'dead-letter' as const,
      reason: 'the deployer gave up on this request: boom',
    };
    await inputs.attemptExpired(expiry);
    await inputs.attemptExpired(expiry);
    expect((await typesOf(buildId)).filter((t) => t === 'ProductionDeploymentFailed')).toHaveLength(1);
    expect(await lastOf(buildId)).toMatchObject({ data: { cause: 'dead-letter', reason: 'the deployer gave up on this request: boom' } });
  });
});

describe('re-sent builds', () => {
  it('is the same build while it is open, and a new build once it was closed', async () => {
    const request = { target: 'resend-close', requestId: 'same-request' };
    await inputs.buildCompleted(buildCompleted(request), 'b-first');
    await inputs.buildCompleted(buildCompleted(request), 'b-same');
    expect(await typesOf('b-same')).toEqual([]);
    await inputs.closeRequested(closeRequest('b-first'));
    await inputs.buildCompleted(buildCompleted(request), 'b-second');
    expect(await typesOf('b-second')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    const [mapped] = await rows<{ build_id: string }>(
      db,
      `SELECT build_id FROM approvals.build_requests WHERE request_id = 'same-request'`,
    );
    expect(mapped.build_id).toBe('b-second');
  });

  it('retries a failed preview when the same build is sent again', async () => {
    await inputs.buildCompleted(buildCompleted({ target: 'resend-failed' }), 'b-failed');
    await inputs.deploymentFailed(failed('b-failed', 'b-failed:preview', 'preview', 'ImagePullBackOff'));
    await inputs.buildCompleted(buildCompleted({ target: 'resend-failed' }), 'b-retry');
    expect(await typesOf('b-retry')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    expect(await lastOf('b-failed')).toMatchObject({ type: 'BuildSuperseded', data: { supersededBy: 'b-retry' } });
  });

  it('starts a new build for the same request after the build shipped', async () => {
    const buildId = await approvedBuild('resend-shipped');
    await inputs.promoteRequested(promote(buildId));
    await inputs.deploymentSucceeded(succeeded(buildId, `${buildId}:production:1`, 'production', 'https://example.org'));
    await inputs.buildCompleted(buildCompleted({ target: 'resend-shipped' }), 'b-after-ship');
    expect(await typesOf('b-after-ship')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    expect((await typesOf(buildId)).at(-1)).toBe('PreviewTeardownRequested'); // shipped builds are not superseded
  });

  it('keeps an Idempotency-Key request the same build for 24 hours, even after the build ended', async () => {
    const keyed = { target: 'resend-keyed', requestId: 'key-1', idempotencyKey: true };
    await inputs.buildCompleted(buildCompleted(keyed), 'b-keyed');
    await inputs.closeRequested(closeRequest('b-keyed'));
    await inputs.buildCompleted(buildCompleted(keyed), 'b-keyed-again');
    expect(await typesOf('b-keyed-again')).toEqual([]);
    await db.query(`UPDATE approvals.build_requests SET created_at = now() - interval '25 hours' WHERE request_id = 'key-1'`);
    await inputs.buildCompleted(buildCompleted(keyed), 'b-keyed-later');
    expect(await typesOf('b-keyed-later')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
  });
});

describe('approvals bound to bits', () => {
  it('records the digest the preview runs and sends that digest to production', async () => {
    const buildId = await approvedBuild('pinned', DIGEST);
    expect((await eventsOf(db, `build-${buildId}`)).find((e) => e.type === 'PreviewDeployed')!.data).toMatchObject({
      digest: DIGEST,
      pinnedImage: `registry.example.org/shop@${DIGEST}`,
    });
    await inputs.promoteRequested(promote(buildId));
    expect(await lastOf(buildId)).toMatchObject({
      type: 'ProductionDeploymentRequested',
      data: { image: `registry.example.org/shop@${DIGEST}`, digest: DIGEST },
    });
  });

  it('makes a preview redeployed with other bits a new build that needs QA again', async () => {
    const buildId = await approvedBuild('digest-changed', DIGEST);
    const other = `sha256:${'d'.repeat(64)}`;
    await inputs.deploymentSucceeded(
      succeeded(buildId, `${buildId}:preview`, 'preview', 'https://digest-changed.branch.example.org', other),
    );
    const superseded = await lastOf(buildId);
    expect(superseded).toMatchObject({
      type: 'BuildSuperseded',
      data: { reason: 'digest-changed', newImage: `registry.example.org/shop@${other}` },
    });
    const successor = superseded.data.supersededBy as string;
    expect((await eventsOf(db, `build-${successor}`)).map((e) => [e.type, e.data.image])).toEqual([
      ['BuildRegistered', `registry.example.org/shop@${other}`],
      ['PreviewDeploymentRequested', `registry.example.org/shop@${other}`],
    ]);
  });
});
