import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import type { WebClient } from '@slack/web-api';
import { startSlackFake, type SlackFake } from './index';
import { FAST_RETRIES, webClientFor } from './slack-test-client';

const CHANNEL = 'C0STANDING1';

const failure = (
  call: Promise<unknown>,
): Promise<{ code?: string; statusCode?: number; retryAfter?: number; original?: { code?: string; cause?: { code?: string } } }> =>
  call.then(
    () => {
      throw new Error('expected the Slack call to fail, but it succeeded');
    },
    (e: unknown) => e as never,
  );

describe('Slack Web API fake: standing conditions (outages) through the real WebClient', () => {
  let fake: SlackFake;
  let once: WebClient;

  beforeAll(async () => {
    fake = await startSlackFake({ channels: [CHANNEL] });
    once = webClientFor(fake, { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 300 });
  });
  afterAll(() => fake.stop());
  beforeEach(async () => {
    await fake.setCondition(undefined);
    fake.reset();
  });

  it('answers every call HTTP 5xx with no effect while a server-error condition holds', async () => {
    await fake.setCondition({ kind: 'server-error', status: 503 });

    const error = await failure(once.chat.postMessage({ channel: CHANNEL, text: 'a' }));

    expect(error).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    expect(fake.messages()).toEqual([]);
    expect(fake.calls('chat.postMessage')).toEqual([
      expect.objectContaining({ httpStatus: 503, response: { ok: false, error: 'http_503' } }),
    ]);
    await fake.setCondition(undefined);
    await once.chat.postMessage({ channel: CHANNEL, text: 'b' });
    expect(fake.messages().map((m) => m.text)).toEqual(['b']);
  });

  it('rate limits every call with Retry-After while a ratelimit condition holds', async () => {
    await fake.setCondition({ kind: 'ratelimit', retryAfterSeconds: 7 });

    const first = await failure(once.chat.postMessage({ channel: CHANNEL, text: 'a' }));
    const second = await failure(once.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'b' }));

    expect(first).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    expect(second).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    expect(fake.messages()).toEqual([]);
  });

  it('carries out a stalled call although the client gave up on it (effect at once, answer late)', async () => {
    await fake.setCondition({ kind: 'stall', delayMs: 1_000 });

    const error = await failure(once.chat.postMessage({ channel: CHANNEL, text: 'landed' }));

    expect(error.code).toBe('slack_webapi_request_error');
    expect(fake.messages().map((m) => m.text)).toEqual(['landed']);
  });

  it('does nothing until the stall is over with effect after-delay', async () => {
    await fake.setCondition({ kind: 'stall', delayMs: 400, effect: 'after-delay' });
    const patient = webClientFor(fake, { retryConfig: { retries: 0 }, timeout: 2_000 });

    const posted = patient.chat.postMessage({ channel: CHANNEL, text: 'later' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.messages()).toEqual([]);
    await posted;
    expect(fake.messages().map((m) => m.text)).toEqual(['later']);
  });

  it('refuses connections while down and serves the same URL again once lifted', async () => {
    await fake.setCondition({ kind: 'down' });

    const error = await failure(once.auth.test());
    expect(error.code).toBe('slack_webapi_request_error');
    const port = Number(new URL(fake.apiUrl).port);
    expect(
      await new Promise((resolve) =>
        connect(port, '127.0.0.1')
          .once('error', (e: NodeJS.ErrnoException) => resolve(e.code))
          .once('connect', () => resolve('connected')),
      ),
    ).toBe('ECONNREFUSED');
    expect(fake.condition()).toEqual({ kind: 'down' });

    await fake.setCondition(undefined);
    await expect(webClientFor(fake, { retryConfig: FAST_RETRIES }).auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('refuses a condition it cannot express', async () => {
    await expect(fake.setCondition({ kind: 'ratelimit', retryAfterSeconds: 1.5 })).rejects.toThrow('whole number of seconds');
    await expect(fake.setCondition({ kind: 'server-error', status: 501 as never })).rejects.toThrow('500, 502, 503 or 504');
  });
});
