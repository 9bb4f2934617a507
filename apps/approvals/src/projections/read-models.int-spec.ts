import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import {
  buildCompleted,
  closeRequest,
  eventsOf,
  liveBuild,
  openApprovals,
  promote,
  qaVerdict,
  succeeded,
  testConfig,
} from '../../test/approvals-harness';
import { BuildInputsService } from '../commands/build-inputs.service';
import { rows } from '../event-store/sql-executor';
import { BuildQueriesController } from './build-queries.controller';
import { rebuildReadModels } from './read-models.rebuild';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: DataSource;
let inputs: BuildInputsService;
let close: () => Promise<void>;
let queries: BuildQueriesController;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ db, inputs, close } = await openApprovals(database.url));
  queries = new BuildQueriesController(db, testConfig(database.url));
});

afterAll(async () => {
  await close();
  await database.drop();
});

const allBuildRows = () => rows(db, `SELECT * FROM approvals.builds ORDER BY id`);

describe('the builds read model', () => {
  it('is rebuilt to the same rows by replaying the whole log', async () => {
    const shipped = await liveBuild(db, inputs, { target: 'main' });
    await inputs.qaVerdict(qaVerdict(shipped, 'U0QA00001', 'approve'));
    await inputs.promoteRequested(promote(shipped));
    const request = (await eventsOf(db, `build-${shipped}`)).at(-1)!;
    await inputs.deploymentSucceeded(succeeded(shipped, request.data.attemptId as string, 'production', 'https://example.org'));
    const rejected = await liveBuild(db, inputs, { target: 'feature-x' });
    await inputs.qaVerdict(qaVerdict(rejected, 'U0QA00002', 'reject'));
    await inputs.closeRequested(closeRequest(rejected, 'U0QA00002'));
    const closed = await liveBuild(db, inputs, { target: 'feature-y' });
    await inputs.closeRequested(closeRequest(closed));
    await inputs.buildCompleted(buildCompleted({ target: 'feature-y', image: 'registry.example.org/shop:9' }));
    await inputs.buildCompleted(buildCompleted({ target: 'feature-z', image: 'registry.example.org/shop:10' }));
    await inputs.buildCompleted(buildCompleted({ target: 'feature-z', image: 'registry.example.org/shop:11' }));

    const before = await allBuildRows();
    expect(before.length).toBe(6);
    await db.query(`UPDATE approvals.builds SET status = 'garbage'`);
    const result = await rebuildReadModels(db);

    expect(await allBuildRows()).toEqual(before);
    expect(result).toEqual({ events: (await eventsOf(db)).length, builds: 6 });
  });

  it('answers a build by its id and by the CI request id that created it', async () => {
    const ci = buildCompleted({ target: 'query-me' });
    await inputs.buildCompleted(ci, 'b-query');
    const byId = await queries.getBuild({ id: 'b-query' });
    const byRequest = await queries.getBuild({ id: ci.data.requestId });
    expect(byId).toEqual(byRequest);
    expect(byId).toMatchObject({
      ok: true,
      data: {
        id: 'b-query',
        project: 'test1',
        type: 'branch',
        target: 'query-me',
        status: 'preview-deploying',
        previewUrl: 'https://query-me.branch.example.org',
        verdicts: [],
      },
    });
  });

  it("lists a project's builds newest first, with verdicts and who promoted", async () => {
    const reply = await queries.listProjectBuilds({ project: 'test1', limit: 3 });
    if (!reply.ok) throw new Error(reply.message);
    expect(reply.data.map((b) => b.id)[0]).toBe('b-query');
    expect(reply.data).toHaveLength(3);
    const all = await queries.listProjectBuilds({ project: 'test1', limit: 50 });
    const shipped = all.ok ? all.data.find((b) => b.target === 'main') : undefined;
    expect(shipped).toMatchObject({
      status: 'in-production',
      promotedBy: 'U0OWNER01',
      productionUrl: 'https://example.org',
      verdicts: [{ user: 'U0QA00001', verdict: 'approve' }],
    });
  });

  it('answers 404 for an unknown id or project and 400 for an invalid query, naming the field', async () => {
    expect(await queries.getBuild({ id: 'nope' })).toEqual({ ok: false, status: 404, message: 'no build or request with id "nope"' });
    expect(await queries.listProjectBuilds({ project: 'nope' })).toMatchObject({ ok: false, status: 404 });
    expect(await queries.getBuild({})).toMatchObject({ ok: false, status: 400, message: expect.stringContaining('id:') });
    expect(await queries.listProjectBuilds({ project: 'test1', limit: 0 })).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringContaining('limit:'),
    });
  });
});
