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
import { BuildInputsService } from './build-inputs.service';
import { rows } from '../event-store/sql-executor';

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

const typesOf = async (buildId: string) => (await eventsOf(db, `build-${buildId}`)).map((e) => e.type);

describe('the command path on a real event log', () => {
  it('registers a build from CI and requests its preview', async () => {
    const input = buildCompleted({ target: 'register' });
    await inputs.buildCompleted(input, 'b-register');
    expect(await typesOf('b-register')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    const [build] = await rows<{ status: string; preview_url: string }>(
      db,
      `SELECT status, preview_url FROM approvals.builds WHERE id = 'b-register'`,
    );
    expect(build).toEqual({ status: 'preview-deploying', preview_url: 'https://register.branch.example.org' });
  });

  it('decides two concurrent verdicts against the latest state, losing neither', async () => {
    const buildId = await liveBuild(db, inputs, { project: 'duo', target: 'concurrent-verdicts' });
    await Promise.all([
      inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve')),
      inputs.qaVerdict(qaVerdict(buildId, 'U0QA00002', 'approve')),
    ]);
    const events = await eventsOf(db, `build-${buildId}`);
    expect(events.map((e) => e.type)).toEqual([
      'BuildRegistered',
      'PreviewDeploymentRequested',
      'PreviewDeployed',
      'QaApproved',
      'QaApproved',
      'BuildApproved',
    ]);
    expect(events[4].data.approvals).toHaveLength(2); // the second verdict saw the first
  });

  it('ships once when two owners click "Deploy to production" at the same moment', async () => {
    const buildId = await liveBuild(db, inputs, { target: 'double-promote' });
    await inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve'));
    await Promise.all([inputs.promoteRequested(promote(buildId, 'U0OWNER01')), inputs.promoteRequested(promote(buildId, 'U0OWNER02'))]);
    const types = await typesOf(buildId);
    expect(types.filter((t) => t === 'ProductionDeploymentRequested')).toHaveLength(1);
    const denied = (await eventsOf(db, `build-${buildId}`)).filter((e) => e.type === 'ActionDenied');
    expect(denied.map((e) => e.data.reason)).toEqual(['this build is already being deployed to production']);

    const request = (await eventsOf(db, `build-${buildId}`)).find((e) => e.type === 'ProductionDeploymentRequested')!;
    await inputs.deploymentSucceeded(succeeded(buildId, request.data.attemptId as string, 'production', 'https://example.org'));
    expect((await typesOf(buildId)).slice(-2)).toEqual(['ProductionDeployed', 'PreviewTeardownRequested']);
  });

  it('lets one production deployment per project run at a time, across builds', async () => {
    const first = await liveBuild(db, inputs, { target: 'lock-a', image: 'registry.example.org/shop:2.0.0' });
    const second = await liveBuild(db, inputs, { target: 'lock-b', image: 'registry.example.org/shop:2.0.1' });
    await inputs.qaVerdict(qaVerdict(first, 'U0QA00001', 'approve'));
    await inputs.qaVerdict(qaVerdict(second, 'U0QA00001', 'approve'));
    await Promise.all([inputs.promoteRequested(promote(first)), inputs.promoteRequested(promote(second))]);
    const requested = [...(await eventsOf(db, `build-${first}`)), ...(await eventsOf(db, `build-${second}`))].filter(
      (e) => e.type === 'ProductionDeploymentRequested',
    );
    expect(requested).toHaveLength(1);
    const winner = requested[0].data.buildId as string;
    const loser = winner === first ? second : first;
    const [denied] = (await eventsOf(db, `build-${loser}`)).filter((e) => e.type === 'ActionDenied');
    expect(denied.data.reason).toBe(`another build of Testing One (${winner}) is being deployed to production; try again when it is done`);

    // Once the first one failed, the other may go (and the failed one may be retried later).
    await inputs.deploymentFailed(failed(winner, requested[0].data.attemptId as string, 'production', 'ImagePullBackOff'));
    await inputs.promoteRequested(promote(loser));
    expect((await typesOf(loser)).at(-1)).toBe('ProductionDeploymentRequested');
    await inputs.deploymentFailed(
      failed(loser, (await eventsOf(db, `build-${loser}`)).at(-1)!.data.attemptId as string, 'production', 'CrashLoopBackOff'),
    );
  });

  it('produces nothing for an input delivered twice, even at the same time', async () => {
    const buildId = await liveBuild(db, inputs, { target: 'redelivery' });
    const verdict = qaVerdict(buildId, 'U0QA00001', 'approve');
    const before = (await eventsOf(db)).length;
    const results = await Promise.all([inputs.qaVerdict(verdict), inputs.qaVerdict(verdict)]);
    await inputs.qaVerdict(verdict);
    expect((await eventsOf(db)).length).toBe(before + 2); // QaApproved + BuildApproved, once
    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'handled']);
  });

  it('treats a CI retry with the same image as the same build, findable by its request id', async () => {
    const first = buildCompleted({ target: 'ci-retry' });
    await inputs.buildCompleted(first, 'b-ci-retry');
    const retry = buildCompleted({ target: 'ci-retry', requestId: 'ci-retry-2' });
    await inputs.buildCompleted(retry, 'b-never');
    expect(await typesOf('b-never')).toEqual([]);
    expect(await typesOf('b-ci-retry')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    const mapped = await rows<{ build_id: string }>(db, `SELECT build_id FROM approvals.build_requests WHERE request_id = 'ci-retry-2'`);
    expect(mapped).toEqual([{ build_id: 'b-ci-retry' }]);
  });

  it('supersedes the open build of a target when a new image arrives', async () => {
    await inputs.buildCompleted(buildCompleted({ target: 'supersede', image: 'registry.example.org/shop:3.0.0' }), 'b-old');
    await inputs.buildCompleted(buildCompleted({ target: 'supersede', image: 'registry.example.org/shop:3.0.1' }), 'b-new');
    expect((await eventsOf(db, 'build-b-old')).at(-1)).toMatchObject({
      type: 'BuildSuperseded',
      data: { supersededBy: 'b-new', newImage: 'registry.example.org/shop:3.0.1' },
    });
    expect(await typesOf('b-new')).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    // the old build's preview outcome arrives late: recorded, ignored
    const oldRequest = (await eventsOf(db, 'build-b-old'))[1];
    const late = succeeded('b-old', oldRequest.data.attemptId as string, 'preview', 'https://supersede.branch.example.org');
    await inputs.deploymentSucceeded(late);
    expect((await typesOf('b-old')).at(-1)).toBe('BuildSuperseded');
    const [note] = await rows<{ outcome: string }>(db, `SELECT outcome FROM approvals.processed_inputs WHERE message_id = $1`, [late.id]);
    expect(note.outcome).toBe('no change (build is Superseded)');
  });

  it('records a refusal, with the reason and where to answer, for a person who may not act', async () => {
    const buildId = await liveBuild(db, inputs, { target: 'refusal' });
    await inputs.closeRequested(closeRequest(buildId, 'U0QA00001'));
    expect((await eventsOf(db, `build-${buildId}`)).at(-1)).toMatchObject({
      type: 'ActionDenied',
      data: {
        buildId,
        project: 'test1',
        user: 'U0QA00001',
        action: 'close',
        reason: 'only the owners of Testing One can close builds',
        origin: { channel: 'D0456' },
      },
    });
  });

  it('records a click on a build that does not exist in a stream of its own', async () => {
    const click = qaVerdict('no-such-build', 'U0QA00001', 'approve');
    await inputs.qaVerdict(click);
    expect(await eventsOf(db, `denied-${click.id}`)).toEqual([
      expect.objectContaining({
        stream_version: 1,
        type: 'ActionDenied',
        data: expect.objectContaining({ user: 'U0QA00001', action: 'approve' }),
      }),
    ]);
    expect(await eventsOf(db, 'build-no-such-build')).toEqual([]);
  });
});
