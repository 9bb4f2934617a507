import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type PersonHomeView, type PublishHomeReply, type QueryReply, Subjects } from '@app/contracts';
import { buildEvents, facts } from './build-fixtures';
import { NotifierHarness, sleep } from './notifier-harness';

/*
 * The App Home through the notifier as it runs (real module, NATS, Postgres, the real WebClient
 * against the Slack fake); this spec plays approvals' side of Subjects.PersonHome.
 */

const QA = 'U0QA00001';
const OWNER = 'U0OWNER01';

const emptyHome = (user: string): PersonHomeView => ({
  user,
  toApprove: [],
  toShip: [],
  projects: [{ project: 'test1', name: 'Testing One', roles: ['qa'], previews: [], production: null }],
  releases: [],
});

describe('notifier: publishing App Homes (views.publish with the real WebClient against the Slack fake)', () => {
  let h: NotifierHarness;
  const asked: string[] = [];
  let answer: (user: string) => QueryReply<PersonHomeView> | undefined;
  const publish = (request: unknown) => h.request<PublishHomeReply>(Subjects.PublishHome, request, 8_000);
  const homeText = (user: string, n = -1) => JSON.stringify(h.slack.homes(user).at(n)?.view.blocks ?? []);

  beforeAll(async () => {
    h = await NotifierHarness.create();
    await h.start();
    await h.serve(Subjects.PersonHome, (data) => {
      const { user } = data as { user: string };
      asked.push(user);
      return answer(user);
    });
  });
  afterAll(async () => h?.dispose());
  beforeEach(() => {
    h.slack.reset();
    asked.length = 0;
    answer = (user) => ({ ok: true, data: emptyHome(user) });
  });

  it("publishes the person's Home from approvals' answer when they open it", async () => {
    const f = facts();
    answer = (user) => ({
      ok: true,
      data: {
        ...emptyHome(user),
        toApprove: [
          {
            id: f.buildId,
            project: 'test1',
            type: 'branch',
            target: f.target,
            image: f.image,
            status: 'awaiting-qa',
            previewUrl: f.previewUrl,
            productionUrl: null,
            verdicts: [],
            approvalsRequired: 1,
            promotedBy: null,
            closedBy: null,
            supersededBy: null,
            failureReason: null,
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            waitingFor: { on: 'qa', users: [user], approvalsMissing: 1 },
          },
        ],
      },
    });
    expect(await publish({ user: QA })).toEqual({ ok: true });
    expect(asked).toEqual([QA]);
    expect(h.slack.homes(QA)).toHaveLength(1);
    expect(h.slack.homes(QA)[0].view.type).toBe('home');
    expect(homeText(QA)).toContain('Approve or reject');
    expect(homeText(QA)).toContain(f.previewUrl);
  });

  it('answers why not when approvals refuses or does not answer, and publishes nothing', async () => {
    answer = () => ({ ok: false, status: 400, message: 'user: expected a Slack user id' });
    expect(await publish({ user: QA })).toEqual({ ok: false, message: 'approvals refused: user: expected a Slack user id' });
    answer = () => undefined;
    expect(await publish({ user: QA })).toMatchObject({ ok: false, message: expect.stringContaining('approvals did not answer') });
    expect(h.slack.homes()).toEqual([]);
  }, 15_000);

  it('answers what Slack refused', async () => {
    h.slack.failNext('views.publish', 'not_authed');
    expect(await publish({ user: QA })).toEqual({ ok: false, message: 'views.publish failed: not_authed' });
  });

  it('refuses a request that breaks the contract, naming the field', async () => {
    expect(await publish({ user: 'bob' })).toMatchObject({ ok: false, message: expect.stringContaining('user') });
  });

  it("republishes the Homes of a build's people who opened theirs when the build changes, and nobody else's", async () => {
    const f = facts({ buildId: 'b-home' });
    const events = buildEvents(f);
    expect(await publish({ user: QA })).toEqual({ ok: true });
    await h.publish(events.registered(), events.previewRequested(), events.previewDeployed());
    await h.slack.waitFor(() => h.slack.homes(QA).length >= 2 || undefined, 8_000);
    await sleep(300);
    // PreviewDeployed changes the Home; BuildRegistered and the deployer's request do not.
    expect(h.slack.homes(QA)).toHaveLength(2);
    expect(h.slack.homes(OWNER)).toEqual([]);
    expect(h.slack.homes('U0QA00002')).toEqual([]);
  });
});
