import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { SlackActions } from '@app/contracts';
import { asFormBody, slackFixture } from './support/fixtures';
import { ciHeaders, CI_TOKEN, GatewayHarness, slackHeaders, startGateway } from './support/gateway-harness';

/*
 * Property-based: random and mutated bodies and headers thrown at both endpoints never
 * get a 5xx and never publish anything. Each run checks the INPUTS stream is unchanged.
 */

const RUNS = Number(process.env.GATEWAY_FUZZ_RUNS ?? 60);

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const headerValue = fc.string({ unit: printable, maxLength: 80 });
const anyText = fc.string({ unit: 'grapheme', maxLength: 300 });
const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/json',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded; charset=utf-16',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
);
const contentEncoding = fc.constantFrom(undefined, undefined, undefined, 'gzip', 'deflate', 'br', 'compress');
const body = fc.oneof(
  anyText,
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
  fc.json({ maxDepth: 3 }),
  fc
    .dictionary(fc.constantFrom('project', 'image', 'type', 'target', 'payload', 'x'), anyText)
    .map((d) => new URLSearchParams(d).toString()),
);
const randomHeaders = fc.record(
  {
    'content-type': contentType,
    'content-encoding': contentEncoding,
    authorization: fc.oneof(
      headerValue,
      headerValue.map((v) => `Bearer ${v}`),
      fc.constant(`Bearer ${CI_TOKEN.slice(0, -1)}`),
    ),
    'idempotency-key': headerValue,
    'x-slack-signature': fc.oneof(
      headerValue,
      headerValue.map((v) => `v0=${v}`),
    ),
    'x-slack-request-timestamp': fc.oneof(headerValue, fc.integer({ min: 0, max: 2 ** 40 }).map(String)),
  },
  { requiredKeys: [] },
);

const clean = (headers: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));

const seed = { project: 'test1', image: 'registry.example.org/test1:abc123', type: 'branch', target: 'staging' };

/** A valid build request with one field made invalid in a way the grammar forbids. */
const brokenBuild = fc
  .record({
    field: fc.constantFrom('project', 'image', 'type', 'target'),
    junk: fc.string({ unit: printable, maxLength: 20 }),
    at: fc.nat(),
    breaker: fc.constantFrom(' ', '\t', '\n', '\u0000', '..', 'A', '~', ':', '@{', '\u007f'),
  })
  // ".." is fine inside a tag ("abc..123" is valid), so it only breaks the other fields.
  .filter(({ field, breaker }) => !(field === 'image' && breaker === '..'))
  .map(({ field, junk, at, breaker }) => {
    const value = seed[field as keyof typeof seed];
    const position = at % (value.length + 1);
    const broken =
      field === 'type' || field === 'project'
        ? `${value}${breaker}${junk}`
        : field === 'image' && /^[A-Z]$/.test(breaker)
          ? value.replace('test1', `Test1${junk.replace(/[^a-z]/g, '')}`)
          : `${value.slice(0, position)}${breaker === 'A' ? ' ' : breaker}${value.slice(position)}`;
    return { ...seed, [field]: broken };
  });

function deploybotClick(): Record<string, any> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const payload = JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json'));
  payload.actions[0] = { ...payload.actions[0], action_id: SlackActions.Approve, value: 'fuzz-build' };
  return payload;
}

describe('gateway under random and mutated input (property-based)', () => {
  jest.setTimeout(Math.max(5_000, RUNS * 100));
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  /** Sends one request; `published` is how many inputs the stream gained meanwhile. */
  const send = async (path: string, payload: string | Buffer, headers: Record<string, string>) => {
    const before = await gw.inputCount();
    const response = await fetch(`${gw.baseUrl}${path}`, { method: 'POST', body: payload, headers });
    await response.arrayBuffer();
    return { status: response.status, published: (await gw.inputCount()) - before };
  };
  const now = () => Math.floor(gw.clock.ms / 1000);

  it('CI webhook: random bodies and headers never get a 5xx or a publish', async () => {
    await fc.assert(
      fc.asyncProperty(body, randomHeaders, async (payload, headers) => {
        const { status, published } = await send('/build-complete', payload, clean(headers));
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('CI webhook: with the right token, random bodies are refused with 4xx and publish nothing', async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, contentEncoding, async (payload, type, encoding) => {
        const { status, published } = await send('/build-complete', payload, clean({ ...ciHeaders(type), 'content-encoding': encoding }));
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('CI webhook: a valid request with one field broken is refused (400/404), as form or JSON', async () => {
    await fc.assert(
      fc.asyncProperty(brokenBuild, fc.boolean(), async (fields, asJson) => {
        const payload = asJson ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
        const { status, published } = await send('/build-complete', payload, ciHeaders(asJson ? 'application/json' : undefined));
        expect([400, 404]).toContain(status);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('Slack: random bodies and headers never get a 5xx or a publish', async () => {
    await fc.assert(
      fc.asyncProperty(body, randomHeaders, async (payload, headers) => {
        const { status, published } = await send('/slack/interactions', payload, clean(headers));
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('Slack: correctly signed bodies that are not clicks on our buttons get 400 and publish nothing', async () => {
    const notAClick = fc.oneof(
      anyText,
      fc.json({ maxDepth: 3 }).map((json) => `payload=${encodeURIComponent(json)}`),
      fc.record({ action_id: anyText, value: anyText }).map(({ action_id, value }) => {
        const payload = deploybotClick();
        payload.actions[0] = { ...payload.actions[0], action_id: `x${action_id}`, value };
        return asFormBody(payload);
      }),
      fc.constantFrom('type', 'user', 'actions').map((key) => {
        const payload = deploybotClick();
        delete payload[key];
        return asFormBody(payload);
      }),
    );
    await fc.assert(
      fc.asyncProperty(notAClick, async (raw) => {
        const { status, published } = await send('/slack/interactions', raw, slackHeaders(raw, now()));
        expect(status).toBe(400);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('Slack: a signed click with any byte changed is refused with 401 and publishes nothing', async () => {
    const original = asFormBody(deploybotClick());
    const headers = slackHeaders(original, now());
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), printable, async (at, replacement) => {
        fc.pre(original[at] !== replacement);
        const tampered = original.slice(0, at) + replacement + original.slice(at + 1);
        const { status, published } = await send('/slack/interactions', tampered, headers);
        expect(status).toBe(401);
        expect(published).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});
