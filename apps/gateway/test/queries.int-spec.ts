import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, JSONCodec, NatsConnection, Subscription } from 'nats';
import { BuildView, QueryReply, ReleaseView, Subjects } from '@app/contracts';
import { absoluteSubject } from '@app/platform';
import { ciHeaders, GatewayHarness, startGateway } from './support/gateway-harness';
import { testInfra } from '../../../test/infra/test-infra';

const codec = JSONCodec();

const view = (id: string): BuildView => ({
  id,
  project: 'test1',
  type: 'branch',
  target: 'staging',
  image: 'registry.example.org/test1:abc',
  status: 'PreviewReady',
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
});

const release = (n: number): ReleaseView => ({
  buildId: `b-${n}`,
  project: 'test1',
  type: 'branch',
  target: 'main',
  image: 'registry.example.org/test1:abc',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  url: 'https://example.org',
  by: 'U0OWNER01',
  at: '2026-01-01T00:00:00.000Z',
  release: n,
  rollbackOf: n === 3 ? 'b-2' : null,
});

/** Stands in for approvals on the query subjects: answers as its QueryReply contract says, and records the queries. */
async function fakeApprovals(nc: NatsConnection, prefix: string, received: unknown[]): Promise<Subscription[]> {
  const serve = (subject: string, answer: (query: any) => unknown) => {
    // eslint-disable-line @typescript-eslint/no-explicit-any
    const sub = nc.subscribe(absoluteSubject(prefix, subject));
    void (async () => {
      for await (const m of sub) {
        const query = codec.decode(m.data);
        received.push(query);
        const reply = answer(query);
        if (reply !== 'silence') m.respond(codec.encode(reply));
      }
    })();
    return sub;
  };
  return [
    serve(Subjects.GetBuild, (q: { id: string }): QueryReply<BuildView> | string =>
      q.id === 'silent'
        ? 'silence'
        : q.id === 'garbled'
          ? ({ nonsense: true } as never)
          : q.id.startsWith('b-')
            ? { ok: true, data: view(q.id) }
            : { ok: false, status: 404, message: `no build ${q.id}` },
    ),
    serve(
      Subjects.ListProjectBuilds,
      (q: { project: string; limit: number }): QueryReply<BuildView[]> => ({
        ok: true,
        data: [view('b-1'), view('b-2')].slice(0, q.limit),
      }),
    ),
    serve(
      Subjects.ProductionHistory,
      (q: { project: string; limit: number }): QueryReply<ReleaseView[]> => ({
        ok: true,
        data: [release(3), release(2), release(1)].slice(0, q.limit),
      }),
    ),
  ];
}

describe('GET /v1/… status queries, answered by approvals over NATS', () => {
  let gw: GatewayHarness;
  let nc: NatsConnection;
  const received: unknown[] = [];
  beforeAll(async () => {
    gw = await startGateway({ options: { queryTimeoutMs: 300 } });
    nc = await connect({ servers: (await testInfra()).natsUrl });
    await fakeApprovals(nc, gw.prefix, received);
    await nc.flush();
  });
  afterAll(async () => {
    await nc.close();
    await gw.close();
  });

  const get = async (path: string, headers: Record<string, string> = ciHeaders()) => {
    const response = await fetch(`${gw.baseUrl}${path}`, { headers });
    return { status: response.status, headers: response.headers, json: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('answers a build by id with what approvals knows', async () => {
    const response = await get('/v1/builds/b-42');
    expect(response.status).toBe(200);
    expect(response.json).toEqual(view('b-42'));
    expect(received).toContainEqual({ id: 'b-42' });
  });

  it('matches the path in any case and with a trailing slash, and passes the id on as it was sent', async () => {
    const response = await get('/V1/Builds/b-Mixed-Case/');
    expect(response.status).toBe(200);
    expect(received).toContainEqual({ id: 'b-Mixed-Case' });
  });

  it("answers approvals' refusal with its status and message", async () => {
    expect(await get('/v1/builds/unknown-id')).toMatchObject({ status: 404, json: { error: 'not found', message: 'no build unknown-id' } });
  });

  it('lists builds of a project, passing the limit on', async () => {
    const response = await get('/v1/projects/test1/builds?limit=1');
    expect(response).toMatchObject({ status: 200, json: { project: 'test1', builds: [view('b-1')] } });
    expect(received).toContainEqual({ project: 'test1', limit: 1 });
    expect((await get('/v1/projects/test1/builds')).json.builds).toHaveLength(2);
    expect(received).toContainEqual({ project: 'test1', limit: 50 });
  });

  it.each(['0', '501', 'ten', '1.5', '-1'])('400 naming limit=%s', async (limit) => {
    const response = await get(`/v1/projects/test1/builds?limit=${limit}`);
    expect(response).toMatchObject({
      status: 400,
      json: { problems: [{ field: 'limit', message: 'expected a whole number from 1 to 500' }] },
    });
  });

  it("lists a project's production releases newest first, with release numbers and rollbacks, passing the limit on", async () => {
    const response = await get('/v1/projects/test1/releases?limit=2');
    expect(response).toMatchObject({ status: 200, json: { project: 'test1', releases: [release(3), release(2)] } });
    expect(received).toContainEqual({ project: 'test1', limit: 2 });
    expect((await get('/v1/projects/test1/releases')).json.releases).toHaveLength(3);
    expect(received).toContainEqual({ project: 'test1', limit: 20 });
  });

  it('400 for a releases limit above 100, 404 for an unknown project', async () => {
    expect(await get('/v1/projects/test1/releases?limit=101')).toMatchObject({
      status: 400,
      json: { problems: [{ field: 'limit', message: 'expected a whole number from 1 to 100' }] },
    });
    expect(await get('/v1/projects/nope/releases')).toMatchObject({ status: 404, json: { error: 'unknown project' } });
  });

  it('404 for a project that is not configured, without asking approvals', async () => {
    const before = received.length;
    expect(await get('/v1/projects/nope/builds')).toMatchObject({ status: 404, json: { error: 'unknown project' } });
    expect(received.length).toBe(before);
  });

  it('401 without the CI token', async () => {
    expect((await get('/v1/builds/b-1', {})).status).toBe(401);
    expect((await get('/v1/projects/test1/builds', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('503 with Retry-After when approvals does not answer in time', async () => {
    const response = await get('/v1/builds/silent');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('502 when approvals answers something that is not a query reply', async () => {
    expect((await get('/v1/builds/garbled')).status).toBe(502);
  });
});

describe('health and metrics', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  it('is alive and ready while NATS is connected', async () => {
    expect((await fetch(`${gw.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('counts requests by route template and status, with a latency histogram', async () => {
    await fetch(`${gw.baseUrl}/v1/builds/some-id`);
    await fetch(`${gw.baseUrl}/v1/builds/other-id`);
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_http_requests_total\{route="\/v1\/builds\/:id",method="GET",status="401"\} [2-9]/);
    expect(metrics).toMatch(/deploybot_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/builds\/:id",method="GET"\} \d+/);
    expect(metrics).not.toContain('some-id');
  });
});
