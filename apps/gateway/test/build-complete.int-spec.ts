import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Subjects } from '@app/contracts';
import { ciHeaders, CI_TOKEN, GatewayHarness, post, startGateway } from './support/gateway-harness';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const seedFields = { project: 'test1', image: 'registry.example.org/test1:abc123', type: 'branch', target: 'staging' };

describe('POST /build-complete (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  let url: string;
  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/build-complete`;
  });
  afterAll(async () => gw.close());

  it('accepts the form body the CI step of the original ci-bot sends, and answers 202 only once the input is in the stream', async () => {
    const before = await gw.inputCount();
    const response = await post(url, form({ ...seedFields, target: 'form-staging' }), ciHeaders());
    expect(await gw.inputCount()).toBe(before + 1);
    expect(response.status).toBe(202);
    const id = response.json.id as string;
    expect(response.json).toEqual({ id, status: 'accepted', links: { build: `/v1/builds/${id}` } });
    expect(response.headers.get('location')).toBe(`/v1/builds/${id}`);

    const stored = (await gw.inputs()).find((i) => i.envelope.correlationId === id)!;
    expect(stored.subject).toBe(Subjects.BuildCompleted);
    expect(stored.envelope).toMatchObject({
      type: 'BuildCompleted',
      streamId: `build-${id}`,
      version: 0,
      correlationId: id,
      actor: { kind: 'ci' },
      data: { requestId: id, ...seedFields, target: 'form-staging' },
    });
  });

  it('accepts the same fields as JSON', async () => {
    const response = await post(url, JSON.stringify({ ...seedFields, target: 'json-staging', type: 'tag' }), ciHeaders('application/json'));
    expect(response.status).toBe(202);
    const stored = (await gw.inputs()).find((i) => i.envelope.correlationId === response.json.id)!;
    expect(stored.envelope.data).toMatchObject({ type: 'tag', target: 'json-staging' });
  });

  it('passes every identical request on (approvals decides whether it is the same build) under the same request id', async () => {
    const body = form({ ...seedFields, target: 'retried' });
    const first = await post(url, body, ciHeaders());
    const before = await gw.inputCount();
    const second = await post(url, body, ciHeaders());
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.json.id).toBe(first.json.id);
    expect(await gw.inputCount()).toBe(before + 1);
    const stored = (await gw.inputs()).filter((i) => i.envelope.correlationId === first.json.id);
    expect(new Set(stored.map((i) => i.envelope.id)).size).toBe(2);
    expect(stored.every((i) => i.envelope.data && !('idempotencyKey' in (i.envelope.data as object)))).toBe(true);
  });

  it('follows the Idempotency-Key: the same key is one build, whatever the body', async () => {
    const headers = { ...ciHeaders(), 'idempotency-key': 'pipeline-991-job-3' };
    const first = await post(url, form({ ...seedFields, target: 'keyed', image: 'app:1' }), headers);
    const before = await gw.inputCount();
    const second = await post(url, form({ ...seedFields, target: 'keyed', image: 'app:2' }), headers);
    expect(second.json.id).toBe(first.json.id);
    expect(await gw.inputCount()).toBe(before);
    const stored = (await gw.inputs()).find((i) => i.envelope.correlationId === first.json.id)!;
    expect(stored.envelope).toMatchObject({ id: first.json.id, data: { idempotencyKey: true } });
    const third = await post(url, form({ ...seedFields, target: 'keyed', image: 'app:1' }), {
      ...headers,
      'idempotency-key': 'pipeline-992-job-3',
    });
    expect(third.json.id).not.toBe(first.json.id);
    expect(await gw.inputCount()).toBe(before + 1);
  });

  describe('refusals publish nothing', () => {
    let before: number;
    beforeAll(async () => {
      before = await gw.inputCount();
    });
    afterAll(async () => {
      expect(await gw.inputCount()).toBe(before);
    });

    it.each([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
      ['the token with one character more', { authorization: `Bearer ${CI_TOKEN}x` }],
      ['the token without "Bearer"', { authorization: CI_TOKEN }],
      ['Basic auth', { authorization: `Basic ${Buffer.from(`ci:${CI_TOKEN}`).toString('base64')}` }],
    ])('401 with %s', async (_, auth) => {
      const response = await post(url, form(seedFields), { 'content-type': 'application/x-www-form-urlencoded', ...auth });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(response.json).toEqual({
        error: 'unauthorized',
        message: 'missing or wrong CI token (send Authorization: Bearer <CI_WEBHOOK_TOKEN>)',
      });
    });

    it('401 before looking at the body: an invalid body without a token is not described', async () => {
      const response = await post(url, form({ image: 'foo bar' }), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(401);
      expect(response.json.problems).toBeUndefined();
    });

    it('404 for a project that is not configured, naming it', async () => {
      const response = await post(url, form({ ...seedFields, project: 'unknown' }), ciHeaders());
      expect(response.status).toBe(404);
      expect(response.json).toEqual({
        error: 'unknown project',
        problems: [{ field: 'project', message: '"unknown" is not a configured project (expected one of: test1, shop)' }],
      });
    });

    it('400 naming an invalid image with what was expected', async () => {
      const response = await post(url, form({ ...seedFields, image: 'foo bar' }), ciHeaders());
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid request',
        problems: [
          {
            field: 'image',
            message:
              '"foo bar" is not a valid image reference (it contains whitespace or control characters; expected e.g. registry/name:tag or name@sha256:<64 hex>)',
          },
        ],
      });
    });

    it.each([
      ['image', 'Registry.example.org/Team/App:1', 'must be lowercase'],
      ['image', 'app', 'needs a tag or a digest'],
      ['image', 'app@sha256:1234', 'the digest must be sha256'],
      ['type', 'commit', '"commit" is not a build type (expected "branch" or "tag")'],
      ['target', 'has space', 'whitespace'],
      ['target', 'x'.repeat(201), 'longer than 200'],
      ['target', 'a..b', '".."'],
      ['target', 'bad\u0001', 'control'],
      ['target', 'feature.lock', '.lock'],
    ])('400 for %s %j', async (field, value, message) => {
      const response = await post(url, form({ ...seedFields, [field]: value }), ciHeaders());
      expect(response.status).toBe(400);
      expect(response.json.problems).toEqual([{ field, message: expect.stringContaining(message) }]);
    });

    it('400 listing every missing field', async () => {
      const response = await post(url, '', ciHeaders());
      expect(response.status).toBe(400);
      expect(response.json.problems.map((p: { field: string }) => p.field)).toEqual(['project', 'image', 'type', 'target']);
    });

    it('400 for repeated form fields and nested values', async () => {
      const repeated = await post(url, `${form(seedFields)}&project=shop`, ciHeaders());
      expect(repeated.status).toBe(400);
      expect(repeated.json.problems).toEqual([{ field: 'project', message: 'expected one value, got 2' }]);
      const nested = await post(url, form(seedFields).replace('image=', 'image[a]='), ciHeaders());
      expect(nested.json.problems).toEqual([{ field: 'image', message: 'expected a string, got object' }]);
    });

    it('400 for JSON that is not an object of strings', async () => {
      const array = await post(url, '[1,2]', ciHeaders('application/json'));
      expect(array.status).toBe(400);
      expect(array.json.problems).toEqual([{ field: 'body', message: 'expected an object with project, image, type and target' }]);
      const numbers = await post(url, JSON.stringify({ ...seedFields, target: 7 }), ciHeaders('application/json'));
      expect(numbers.json.problems).toEqual([{ field: 'target', message: 'expected a string, got number' }]);
    });

    it('400 for JSON that does not parse', async () => {
      const response = await post(url, '{"project":', ciHeaders('application/json'));
      expect(response.status).toBe(400);
      expect(response.json.error).toBe('bad request');
    });

    it('400 for an Idempotency-Key that is not printable ASCII', async () => {
      const response = await post(url, form(seedFields), { ...ciHeaders(), 'idempotency-key': 'x'.repeat(300) });
      expect(response.status).toBe(400);
      expect(response.json.problems).toEqual([{ field: 'Idempotency-Key', message: 'expected 1 to 255 printable ASCII characters' }]);
    });

    it('415 for a body that is neither form nor JSON', async () => {
      const response = await post(url, 'project=test1', { ...ciHeaders(), 'content-type': 'text/plain' });
      expect(response.status).toBe(415);
      expect(response.json).toEqual({
        error: 'unsupported media type',
        message: 'send application/x-www-form-urlencoded or application/json',
      });
    });

    it('413 for a body over 64 KiB, form or JSON', async () => {
      const padding = 'x'.repeat(65 * 1024);
      const formResponse = await post(url, `${form(seedFields)}&padding=${padding}`, ciHeaders());
      expect(formResponse.status).toBe(413);
      expect(formResponse.json.error).toBe('payload too large');
      const jsonResponse = await post(url, JSON.stringify({ ...seedFields, padding }), ciHeaders('application/json'));
      expect(jsonResponse.status).toBe(413);
    });

    it('413 for a body beyond what the body parser reads at all', async () => {
      const response = await post(url, `padding=${'x'.repeat(200 * 1024)}`, ciHeaders());
      expect(response.status).toBe(413);
      expect(response.json.error).toBe('payload too large');
    });
  });

  it('answers 503 with Retry-After when JetStream cannot store the input (no stream)', async () => {
    await gw.deleteInputStream();
    const response = await post(url, form({ ...seedFields, target: 'no-stream' }), ciHeaders());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.json).toEqual({ error: 'unavailable', message: expect.stringContaining('retry later') });
  });
});
