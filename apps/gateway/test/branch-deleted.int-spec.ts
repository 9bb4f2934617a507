import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Subjects } from '@app/contracts';
import { ciHeaders, GatewayHarness, post, startGateway } from './support/gateway-harness';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('POST /branch-deleted (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  let url: string;
  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/branch-deleted`;
  });
  afterAll(async () => gw.close());

  it('answers 202 only once the BranchDeleted input is in the stream, the type defaulting to branch', async () => {
    const before = await gw.inputCount();
    const response = await post(url, form({ project: 'test1', target: 'feature/login' }), ciHeaders());
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ status: 'accepted' });
    expect(await gw.inputCount()).toBe(before + 1);
    const stored = (await gw.inputs()).at(-1)!;
    expect(stored.subject).toBe(Subjects.BranchDeleted);
    expect(stored.envelope).toMatchObject({
      type: 'BranchDeleted',
      version: 0,
      actor: { kind: 'ci' },
      data: { project: 'test1', type: 'branch', target: 'feature/login' },
    });
  });

  it('takes JSON and a tag, and passes every call on (approvals decides what a repeat means)', async () => {
    const before = await gw.inputCount();
    const body = JSON.stringify({ project: 'shop', target: 'v1.2.0', type: 'tag' });
    const answers = [await post(url, body, ciHeaders('application/json')), await post(url, body, ciHeaders('application/json'))];
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(await gw.inputCount()).toBe(before + 2);
  });

  it('refuses without the CI token, before reading the body', async () => {
    const before = await gw.inputCount();
    const response = await post(url, form({ project: 'test1', target: 'x' }), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(401);
    expect(await gw.inputCount()).toBe(before);
  });

  it('names every bad field (400), and answers 404 for a project that is not configured', async () => {
    const bad = await post(url, form({ target: 'a b', type: 'pr' }), ciHeaders());
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { field: string }) => p.field)).toEqual(['project', 'type', 'target']);
    const unknown = await post(url, form({ project: 'nope', target: 'main' }), ciHeaders());
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'unknown project' });
  });

  it('answers 503 with Retry-After when JetStream cannot store the input, so CI tries again', async () => {
    await gw.deleteInputStream();
    const response = await post(url, form({ project: 'test1', target: 'no-stream' }), ciHeaders());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.json).toEqual({ error: 'unavailable', message: expect.stringContaining('could not record the deletion') });
  });
});
