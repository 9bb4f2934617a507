import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { SlackActions, Subjects } from '@app/contracts';
import type { BuildView, ProjectStatusView, QueryReply, ReleaseView } from '@app/contracts';
import { absoluteSubject } from '@app/platform';
import { testInfra } from '../../../test/infra/test-infra';
import { slackFixture } from './support/fixtures';
import { GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const codec = JSONCodec();

/** A real slash command request body (bolt-js's test capture), as `/deploybot <text>` typed by `user`. */
function slashBody(text: string, user = 'U0OWNER01', fixture = 'slash/slash_command.bolt-js.form.txt'): string {
  const fields = new URLSearchParams(slackFixture(fixture).trim());
  fields.set('command', '/deploybot');
  fields.set('text', text);
  fields.set('user_id', user);
  return fields.toString();
}

const view = (id: string, over: Partial<BuildView> = {}): BuildView => ({
  id,
  project: 'test1',
  type: 'branch',
  target: 'staging',
  image: 'registry.example.org/test1:abc',
  status: 'approved',
  previewUrl: 'https://staging.branch.example.org',
  productionUrl: null,
  verdicts: [],
  approvalsRequired: 1,
  promotedBy: null,
  closedBy: null,
  supersededBy: null,
  failureReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

/** Stands in for approvals on the slash command's query subjects, answering per the QueryReply contract. */
async function fakeApprovals(nc: NatsConnection, prefix: string, received: Array<{ subject: string; query: Json }>) {
  const serve = (subject: string, answer: (query: Json) => unknown) => {
    const sub = nc.subscribe(absoluteSubject(prefix, subject));
    void (async () => {
      for await (const m of sub) {
        const query = codec.decode(m.data) as Json;
        received.push({ subject, query });
        const reply = answer(query);
        if (reply !== 'silence') m.respond(codec.encode(reply));
      }
    })();
  };
  serve(Subjects.ProjectStatus, (q): QueryReply<ProjectStatusView[]> | string =>
    q.projects.length === 1 && q.projects[0] === 'shop'
      ? 'silence'
      : { ok: true, data: q.projects.map((p: string) => ({ project: p, name: p, production: null, open: [] })) },
  );
  serve(Subjects.ListProjectBuilds, (q): QueryReply<BuildView[]> => ({ ok: true, data: [view('b-1', { project: q.project })] }));
  serve(Subjects.ProductionHistory, (q): QueryReply<ReleaseView[]> | object =>
    q.project === 'shop' ? { nonsense: true } : { ok: true, data: [] },
  );
  serve(
    Subjects.TargetBuild,
    (q): QueryReply<BuildView> =>
      q.target === 'staging'
        ? { ok: true, data: view('b-7') }
        : { ok: false, status: 404, message: `test1 has no build of ${q.type} ${q.target}` },
  );
  await nc.flush();
}

describe('POST /slack/commands: the /deploybot slash command (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  let nc: NatsConnection;
  let url: string;
  const received: Array<{ subject: string; query: Json }> = [];
  const now = () => Math.floor(gw.clock.ms / 1000);
  const command = (text: string, user?: string) => {
    const body = slashBody(text, user);
    return post(url, body, slackHeaders(body, now()));
  };

  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/slack/commands`;
    nc = await connect({ servers: (await testInfra()).natsUrl });
    await fakeApprovals(nc, gw.prefix, received);
  });
  afterAll(async () => {
    await nc.close();
    await gw.close();
  });

  it('refuses a request without a valid Slack signature with 401, asking approvals nothing', async () => {
    const body = slashBody('status');
    const before = received.length;
    expect((await post(url, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect((await post(url, body, slackHeaders(body, now(), 'wrong-secret'))).status).toBe(401);
    expect((await post(url, body, slackHeaders(body, now() - 600))).status).toBe(401);
    expect(received.length).toBe(before);
  });

  it("answers Slack's unsigned ssl_check with an empty 200, reading nothing else", async () => {
    const before = received.length;
    const response = await post(url, 'ssl_check=1&token=x&command=%2Fdeploybot&text=status', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(received.length).toBe(before);
  });

  it.each([
    ['the bolt-js capture', 'slash/slash_command.bolt-js.form.txt'],
    ["Slack's documented example", 'slash/slash_command.docs-example.form.txt'],
    ['the java-sdk real capture', 'slash/slash_command.modified-real.java-sdk.form.txt'],
  ])('answers help for %s, ephemeral', async (_name, fixture) => {
    const body = slashBody('help', 'U0OWNER01', fixture);
    const response = await post(url, body, slackHeaders(body, now()));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.json.response_type).toBe('ephemeral');
    expect(JSON.stringify(response.json.blocks)).toContain('/deploybot promote');
  });

  it.each([
    ['deploy shop', 'deploy shop'],
    ['promote', 'promote'],
    ['promote test1 feature/x', 'promote test1 feature/x'],
    ['builds nope', 'builds nope'],
    ['status a b', 'status a b'],
    ['%%% <!here>', '%%% <!here>'],
    ['a 3,000-character word', 'x'.repeat(3000)],
  ])('answers the malformed %p with 200, an ephemeral usage line, and nothing published', async (_name, text) => {
    const response = await command(text);
    expect(response.status).toBe(200);
    expect(response.json.response_type).toBe('ephemeral');
    expect(response.json.text).toMatch(/Usage:/);
    expect(response.json.text).not.toContain('<!here>');
    expect(await gw.inputCount()).toBe(0);
  });

  it('answers any signed text with 200 and an ephemeral body, and publishes nothing (property)', async () => {
    const word = fc.oneof(
      fc.constantFrom('status', 'builds', 'releases', 'promote', 'close', 'help', 'test1', 'branch/staging', 'tag/', '<!here>', '&amp;'),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 5 }), fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0'), async (words, gap) => {
        const response = await command(words.join(gap));
        expect(response.status).toBe(200);
        expect(response.json.response_type).toBe('ephemeral');
      }),
      { numRuns: 150 },
    );
    expect(await gw.inputCount()).toBe(0);
  });

  it("asks approvals for the status of the person's own projects, and of the one named", async () => {
    const response = await command('status', 'U0QA00001');
    expect(response.status).toBe(200);
    expect(received.at(-1)).toEqual({ subject: Subjects.ProjectStatus, query: { projects: ['test1'], limit: 10 } });
    expect(response.json.blocks[0].text.text).toContain('*Production:* nothing shipped yet');
    await command('status test1');
    expect(received.at(-1)?.query.projects).toEqual(['test1']);
  });

  it('answers builds and releases from their queries', async () => {
    const builds = await command('builds test1');
    expect(received.at(-1)).toEqual({ subject: Subjects.ListProjectBuilds, query: { project: 'test1', limit: 10 } });
    expect(builds.json.blocks[0].text.text).toContain('branch `staging`');
    const releases = await command('releases test1');
    expect(received.at(-1)).toEqual({ subject: Subjects.ProductionHistory, query: { project: 'test1', limit: 10 } });
    expect(releases.json.blocks[0].text.text).toContain('Nothing shipped to production yet');
  });

  it("answers promote with the owner DM's button behind a confirm dialog, publishing nothing", async () => {
    const response = await command('promote test1 branch/staging');
    expect(received.at(-1)).toEqual({ subject: Subjects.TargetBuild, query: { project: 'test1', type: 'branch', target: 'staging' } });
    const actions = response.json.blocks.find((b: Json) => b.type === 'actions');
    expect(actions.elements[0]).toMatchObject({ action_id: SlackActions.Promote, value: 'b-7', confirm: { confirm: { text: 'Deploy' } } });
    expect(actions.elements[0].confirm.text.text).toContain('<https://example.org>');
    expect(await gw.inputCount()).toBe(0);
  });

  it("answers close of an unknown target with approvals' message, ephemeral", async () => {
    const response = await command('close test1 tag/v9');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_type: 'ephemeral', text: 'test1 has no build of tag v9' });
  });

  it('answers within 3 s with "try again" when approvals does not answer', async () => {
    const started = Date.now();
    const response = await command('status shop');
    const took = Date.now() - started;
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('cannot answer right now') });
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(3_000);
  });

  it('answers "try again" when approvals answers something that is not a query reply', async () => {
    const response = await command('releases shop');
    expect(response.status).toBe(200);
    expect(response.json.text).toContain('cannot answer right now');
  });

  it('counts the route in /metrics by status', async () => {
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/slack\/commands",method="POST",status="200"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/slack\/commands",method="POST",status="401"\} [1-9]/);
  });

  it('refuses with 400 a signed request that is not a slash command (no user), which Slack never sends', async () => {
    const body = 'command=%2Fdeploybot&text=status';
    const response = await post(url, body, slackHeaders(body, now()));
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'invalid slash command', message: 'user_id: "" is not a Slack user id' });
  });
});
