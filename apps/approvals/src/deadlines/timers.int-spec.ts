import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import {
  branchDeleted,
  buildCompleted,
  eventsOf,
  failed,
  keepRequest,
  liveBuild,
  openApprovals,
  qaVerdict,
  succeeded,
} from '../../test/approvals-harness';
import type { BuildInputsService } from '../commands/build-inputs.service';
import { rows } from '../event-store/sql-executor';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineMetrics } from './deadlines.metrics';

/*
 * The builds' timers on a real event log: preview expiry (previews.ttl) with its reminder and
 * Keep, a deleted branch, approval reminders and expiry. Durations are hours, as in production;
 * "time passes" by moving a row's due_at to now, never by sleeping. Each "replica" is its own
 * connection pool and service instance, as separate processes are.
 */
const PROJECTS = `
projects:
  - id: timed
    name: Timed
    url: https://timed.example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01]
    previews: { ttl: 72h, remindBefore: 24h }
    approvals: { required: 1, remindAfter: 4h, expireAfter: 48h }
`;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let replicas: { db: DataSource; inputs: BuildInputsService; scheduler: DeadlineScheduler; close(): Promise<void> }[];
let db: DataSource;
let inputs: BuildInputsService;

const openReplica = async () => {
  const opened = await openApprovals(database.url, {}, PROJECTS);
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

const HOUR = 3_600_000;
const typesOf = async (buildId: string) => (await eventsOf(db, `build-${buildId}`)).map((e) => e.type);
const timersOf = async (buildId: string) =>
  rows<{ attempt_id: string; kind: string; due_at: Date }>(
    db,
    `SELECT attempt_id, kind, due_at FROM approvals.deadlines WHERE build_id = $1 AND kind <> 'teardown' ORDER BY kind`,
    [buildId],
  );
/** Time passes: the build's timer of `kind` is due now. */
const dueNow = (buildId: string, kind: string) =>
  db.query(`UPDATE approvals.deadlines SET due_at = now() - interval '1 second' WHERE build_id = $1 AND kind = $2`, [buildId, kind]);
const fireEverywhere = () => Promise.all(replicas.map((r) => r.scheduler.fireDue()));
const statusOf = async (buildId: string) =>
  (await rows<{ status: string }>(db, `SELECT status FROM approvals.builds WHERE id = $1`, [buildId]))[0].status;
const timedBuild = (target: string) => liveBuild(db, inputs, { project: 'timed', target });

describe('preview expiry (previews.ttl)', () => {
  it('schedules the reminder and the expiry as events and rows, written with the preview', async () => {
    const before = Date.now();
    const buildId = await timedBuild('scheduled');
    expect(await typesOf(buildId)).toEqual([
      'BuildRegistered',
      'PreviewDeploymentRequested',
      'PreviewDeployed',
      'TimerScheduled',
      'TimerScheduled',
      'TimerScheduled',
      'TimerScheduled',
    ]);
    const timers = await timersOf(buildId);
    expect(timers.map((t) => t.attempt_id)).toEqual([
      `${buildId}:approval-expiry:1`,
      `${buildId}:preview-expiry:1`,
      `${buildId}:preview-reminder:1`,
      `${buildId}:qa-reminder:1`,
    ]);
    const expiry = timers.find((t) => t.kind === 'preview-expiry')!.due_at.getTime();
    expect(expiry).toBeGreaterThanOrEqual(before + 72 * HOUR);
    expect(expiry).toBeLessThan(Date.now() + 72 * HOUR);
  });

  it('reminds once with two replicas looking at the same time, and Keep replaces both timers', async () => {
    const buildId = await timedBuild('kept');
    await dueNow(buildId, 'preview-reminder');
    await fireEverywhere();
    expect((await typesOf(buildId)).filter((t) => t === 'PreviewExpiryReminded')).toHaveLength(1);
    const counted = (await DeadlineMetrics.fired.get()).values.find((v) => v.labels.kind === 'preview-reminder');
    expect(counted?.value).toBeGreaterThanOrEqual(1);

    await inputs.keepRequested(keepRequest(buildId));
    const last = (await eventsOf(db, `build-${buildId}`)).slice(-3);
    expect(last.map((e) => e.type)).toEqual(['PreviewKept', 'TimerScheduled', 'TimerScheduled']);
    expect(last[0].data).toMatchObject({ by: 'U0OWNER01' });
    const timers = (await timersOf(buildId)).filter((t) => t.kind.startsWith('preview-'));
    expect(timers.map((t) => t.attempt_id)).toEqual([`${buildId}:preview-expiry:2`, `${buildId}:preview-reminder:2`]);
    const [view] = await rows<{ preview_expires_at: Date; kept_by: string }>(
      db,
      `SELECT preview_expires_at, kept_by FROM approvals.builds WHERE id = $1`,
      [buildId],
    );
    expect(view).toEqual({ preview_expires_at: new Date(last[0].data.until as string), kept_by: 'U0OWNER01' });
  });

  it('expires the build at its time, once, from a replica started after the timer was set; the same request then starts fresh', async () => {
    const request = buildCompleted({ project: 'timed', target: 'expiring' });
    await inputs.buildCompleted(request);
    const buildId = (await rows<{ id: string }>(db, `SELECT id FROM approvals.builds WHERE target = 'expiring'`))[0].id;
    await inputs.deploymentSucceeded(succeeded(buildId, `${buildId}:preview`, 'preview', 'https://expiring.branch.timed.example.org'));

    await replicas[1].close();
    replicas[1] = await openReplica(); // a fresh process: nothing in memory
    await dueNow(buildId, 'preview-expiry');
    await fireEverywhere();

    const events = await eventsOf(db, `build-${buildId}`);
    expect(events.filter((e) => e.type === 'BuildExpired').map((e) => e.data.why)).toEqual(['preview-ttl']);
    expect(events.at(-1)).toMatchObject({ type: 'PreviewTeardownRequested', data: { reason: 'expired' } });
    expect(await timersOf(buildId)).toEqual([]);
    expect(await statusOf(buildId)).toBe('expired');
    expect(await rows(db, `SELECT expired_because, preview_expires_at FROM approvals.builds WHERE id = $1`, [buildId])).toEqual([
      { expired_because: 'preview-ttl', preview_expires_at: null },
    ]);

    await inputs.buildCompleted({ ...request, id: 'resent-after-expiry' });
    const builds = await rows<{ id: string }>(db, `SELECT id FROM approvals.builds WHERE target = 'expiring' ORDER BY created_at`);
    expect(builds).toHaveLength(2);
    expect(await typesOf(builds[1].id)).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
  });
  it('removes what a failed preview left behind once its TTL passed; the build stays failed', async () => {
    await inputs.buildCompleted(buildCompleted({ project: 'timed', target: 'broken' }));
    const buildId = (await rows<{ id: string }>(db, `SELECT id FROM approvals.builds WHERE target = 'broken'`))[0].id;
    await inputs.deploymentFailed(failed(buildId, `${buildId}:preview`, 'preview', 'ImagePullBackOff'));
    expect((await timersOf(buildId)).map((t) => t.kind)).toEqual(['preview-expiry']);

    await dueNow(buildId, 'preview-expiry');
    await fireEverywhere();
    expect((await eventsOf(db, `build-${buildId}`)).at(-1)).toMatchObject({
      type: 'PreviewTeardownRequested',
      data: { reason: 'expired' },
    });
    expect(await statusOf(buildId)).toBe('preview-failed');
  });
});

describe('a deleted branch', () => {
  it('expires the open build of the branch and tears its preview down; a second call changes nothing', async () => {
    const buildId = await timedBuild('feature-gone');
    await inputs.branchDeleted(branchDeleted('timed', 'feature-gone'));
    expect((await typesOf(buildId)).slice(-2)).toEqual(['BuildExpired', 'PreviewTeardownRequested']);
    expect((await eventsOf(db, `build-${buildId}`)).at(-1)!.data).toMatchObject({ reason: 'branch-deleted' });
    expect(await timersOf(buildId)).toEqual([]);

    const again = await inputs.branchDeleted(branchDeleted('timed', 'feature-gone'));
    expect(again).toMatchObject({ kind: 'handled', events: [] });
    expect(await inputs.branchDeleted(branchDeleted('timed', 'never-built'))).toMatchObject({
      kind: 'handled',
      note: 'no build of branch never-built',
    });
  });
});

describe('approval reminders and expiry', () => {
  it('nudges QA who have not answered, then the owners; an approval ends the nudging', async () => {
    const buildId = await timedBuild('nudged');
    await dueNow(buildId, 'qa-reminder');
    await fireEverywhere();
    const reminded = (await eventsOf(db, `build-${buildId}`)).filter((e) => e.type === 'ApprovalReminded');
    expect(reminded.map((e) => e.data)).toEqual([{ buildId, audience: 'qa', waitingFor: ['U0QA00001', 'U0QA00002'] }]);
    expect((await timersOf(buildId)).map((t) => t.kind)).toContain('owner-reminder');

    await dueNow(buildId, 'owner-reminder');
    await fireEverywhere();
    expect((await typesOf(buildId)).filter((t) => t === 'ApprovalReminded')).toHaveLength(2);

    await inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve'));
    expect((await timersOf(buildId)).map((t) => t.kind)).toEqual(['approval-expiry', 'preview-expiry', 'preview-reminder']);
  });

  it('expires a build nobody decided on and tears its preview down', async () => {
    const buildId = await timedBuild('forgotten');
    await dueNow(buildId, 'approval-expiry');
    await fireEverywhere();
    expect((await eventsOf(db, `build-${buildId}`)).filter((e) => e.type === 'BuildExpired').map((e) => e.data.why)).toEqual([
      'approval-ttl',
    ]);
    expect(await statusOf(buildId)).toBe('expired');
  });
});
