import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { closeRequest, eventsOf, liveBuild, openApprovals, promote, qaVerdict, succeeded, testConfig } from '../../test/approvals-harness';
import { BuildInputsService } from '../commands/build-inputs.service';
import { PersonHomeController } from './person-home.controller';
import { StatusQueriesController } from './status-queries.controller';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: DataSource;
let inputs: BuildInputsService;
let close: () => Promise<void>;
let queries: StatusQueriesController;
let homes: PersonHomeController;

/** QA approves, an owner ships, the deployer reports production up. */
async function ship(buildId: string, owner = 'U0OWNER01'): Promise<void> {
  await inputs.qaVerdict(qaVerdict(buildId, 'U0QA00001', 'approve'));
  await inputs.promoteRequested(promote(buildId, owner));
  const request = (await eventsOf(db, `build-${buildId}`)).findLast((e) => e.type === 'ProductionDeploymentRequested')!;
  await inputs.deploymentSucceeded(succeeded(buildId, request.data.attemptId as string, 'production', 'https://example.org'));
}

const ok = <T>(reply: { ok: true; data: T } | { ok: false; message: string }): T => {
  if (!reply.ok) throw new Error(reply.message);
  return reply.data;
};

let first: string;
let second: string;
let approved: string;
let waiting: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ db, inputs, close } = await openApprovals(database.url));
  queries = new StatusQueriesController(db, testConfig(database.url));
  homes = new PersonHomeController(db, testConfig(database.url));
  first = await liveBuild(db, inputs, { target: 'main', image: 'registry.example.org/shop:1' });
  await ship(first);
  second = await liveBuild(db, inputs, { target: 'hotfix', image: 'registry.example.org/shop:2' });
  await ship(second, 'U0OWNER02');
  approved = await liveBuild(db, inputs, { target: 'feature-a' });
  await inputs.qaVerdict(qaVerdict(approved, 'U0QA00002', 'approve'));
  waiting = await liveBuild(db, inputs, { target: 'feature-b' });
  const closed = await liveBuild(db, inputs, { target: 'feature-c' });
  await inputs.closeRequested(closeRequest(closed));
});

afterAll(async () => {
  await close();
  await database.drop();
});

describe("the slash command's queries, answered from the log and the read model", () => {
  it('lists production deployments newest first, from the ProductionDeployed events of the log', async () => {
    const releases = ok(await queries.productionHistory({ project: 'test1' }));
    expect(releases).toEqual([
      expect.objectContaining({ buildId: second, target: 'hotfix', image: 'registry.example.org/shop:2', by: 'U0OWNER02', release: 2 }),
      expect.objectContaining({ buildId: first, target: 'main', image: 'registry.example.org/shop:1', by: 'U0OWNER01', release: 1 }),
    ]);
    expect(releases[0]).toMatchObject({ project: 'test1', type: 'branch', url: 'https://example.org', at: expect.any(String) });
    expect(Date.parse(releases[0].at)).toBeGreaterThanOrEqual(Date.parse(releases[1].at));
    expect(releases[0].rollbackOf).toBeNull();
    expect(ok(await queries.productionHistory({ project: 'test1', limit: 1 }))).toEqual([expect.objectContaining({ release: 2 })]);
    expect(ok(await queries.productionHistory({ project: 'duo' }))).toEqual([]);
  });

  it('answers status: the release production runs, and the open builds with who each waits for', async () => {
    const [status] = ok(await queries.projectStatus({ projects: ['test1'] }));
    expect(status.project).toBe('test1');
    expect(status.name).toBe('Testing One');
    expect(status.production).toMatchObject({ buildId: second, target: 'hotfix' });
    expect(status.open.map((b) => b.id)).toEqual([waiting, approved]);
    expect(status.open[0].waitingFor).toEqual({ on: 'qa', users: ['U0QA00001', 'U0QA00002'], approvalsMissing: 1 });
    expect(status.open[1].waitingFor).toEqual({ on: 'owners', users: ['U0OWNER01', 'U0OWNER02'], to: 'ship' });
  });

  it('answers status of several projects, a project never shipped with no production', async () => {
    const views = ok(await queries.projectStatus({ projects: ['duo', 'test1'] }));
    expect(views.map((v) => v.project)).toEqual(['duo', 'test1']);
    expect(views[0]).toEqual({ project: 'duo', name: 'Two Approvals', production: null, open: [] });
  });

  it('finds the newest build of a target, whatever its status', async () => {
    expect(ok(await queries.targetBuild({ project: 'test1', type: 'branch', target: 'feature-a' }))).toMatchObject({
      id: approved,
      status: 'approved',
    });
    // The first release shipped, then the hotfix replaced it in production.
    expect(ok(await queries.targetBuild({ project: 'test1', type: 'branch', target: 'main' }))).toMatchObject({
      id: first,
      status: 'replaced',
      release: 1,
      replacedBy: second,
      replacedByRelease: 2,
    });
    expect(await queries.targetBuild({ project: 'test1', type: 'tag', target: 'main' })).toEqual({
      ok: false,
      status: 404,
      message: 'test1 has no build of tag main',
    });
  });

  it('answers 404 for an unknown project and 400 for an invalid query, naming the field', async () => {
    for (const reply of [
      await queries.projectStatus({ projects: ['test1', 'nope'] }),
      await queries.targetBuild({ project: 'nope', type: 'branch', target: 'x' }),
      await queries.productionHistory({ project: 'nope' }),
    ]) {
      expect(reply).toEqual({ ok: false, status: 404, message: 'project "nope" is not in the projects file' });
    }
    expect(await queries.projectStatus({ projects: [] })).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringContaining('projects'),
    });
    expect(await queries.targetBuild({ project: 'test1', type: 'feature', target: 'x' })).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringContaining('type'),
    });
  });
});

describe("a person's App Home, answered from the read model and the log", () => {
  it('shows a QA member the build waiting for their verdict, not the one they approved', async () => {
    const home = ok(await homes.personHome({ user: 'U0QA00002' }));
    expect(home.toApprove.map((b) => b.id)).toEqual([waiting]);
    expect(home.toShip).toEqual([]);
    expect(ok(await homes.personHome({ user: 'U0QA00001' })).toApprove.map((b) => b.id)).toEqual([waiting]);
  });

  it('shows an owner the approved build to ship, their projects with previews and production, and the releases', async () => {
    const home = ok(await homes.personHome({ user: 'U0OWNER02' }));
    expect(home.toShip.map((b) => b.id)).toEqual([approved]);
    expect(home.projects).toEqual([
      expect.objectContaining({
        project: 'test1',
        name: 'Testing One',
        roles: ['owner'],
        production: expect.objectContaining({ buildId: second }),
      }),
    ]);
    expect(home.projects[0].previews.map((b) => b.id)).toEqual([waiting, approved]);
    expect(home.releases.map((r) => r.release)).toEqual([2, 1]);
  });

  it('is empty for someone in no project, and refuses what is not a Slack user id', async () => {
    expect(ok(await homes.personHome({ user: 'U0NOBODY1' }))).toEqual({
      user: 'U0NOBODY1',
      toApprove: [],
      toShip: [],
      projects: [],
      releases: [],
    });
    expect(await homes.personHome({ user: 'bob' })).toMatchObject({ ok: false, status: 400, message: expect.stringContaining('user') });
  });
});
