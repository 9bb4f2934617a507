import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { startSlackFake, type SlackFake } from './index';
import { FAST_RETRIES, webClientFor } from './slack-test-client';

const MEMBER = 'C0MEMBER01';
const NOT_MEMBER = 'C0OUTSIDE1';
const UNKNOWN = 'C0UNKNOWN1';

async function rejection(call: Promise<unknown>): Promise<{ code?: string; data?: { error?: string }; retryAfter?: number }> {
  return call.then(
    () => {
      throw new Error('expected the Slack call to fail, but it succeeded');
    },
    (e: unknown) => e as WebAPIPlatformError & { retryAfter?: number },
  );
}

describe('Slack Web API fake: errors, auth and rate limits through the real WebClient', () => {
  let fake: SlackFake;
  let slack: WebClient;

  beforeAll(async () => {
    fake = await startSlackFake({ channels: [MEMBER], token: 'xoxb-fault-tests' });
    slack = webClientFor(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    fake.addChannel(NOT_MEMBER, { botIsMember: false });
  });

  it('answers not_authed without a token and invalid_auth with a wrong one', async () => {
    const noToken = await rejection(webClientFor(fake, { token: '' }).auth.test());
    const wrongToken = await rejection(webClientFor(fake, { token: 'xoxb-wrong' }).chat.postMessage({ channel: MEMBER, text: 'x' }));

    expect(noToken).toMatchObject({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_authed' } });
    expect(wrongToken.data?.error).toBe('invalid_auth');
    expect(fake.messages()).toEqual([]);
  });

  it('accepts the token as a form field too', async () => {
    const answer = await webClientFor(fake, { token: '' }).apiCall('auth.test', { token: fake.token });
    expect(answer.ok).toBe(true);
  });

  it('answers channel_not_found for a channel it does not know and not_in_channel where the bot is not a member', async () => {
    const unknown = await rejection(slack.chat.postMessage({ channel: UNKNOWN, text: 'x' }));
    const outside = await rejection(slack.chat.postMessage({ channel: NOT_MEMBER, text: 'x' }));

    expect(unknown.data?.error).toBe('channel_not_found');
    expect(outside.data?.error).toBe('not_in_channel');
    expect(fake.messages()).toEqual([]);
  });

  it('answers unknown_method for a method it does not speak', async () => {
    expect((await rejection(slack.apiCall('reactions.add', { channel: MEMBER }))).data?.error).toBe('unknown_method');
  });

  it('fails the next calls of a method on request, with no effect', async () => {
    fake.failNext('chat.postMessage', 'internal_error', 2);

    expect((await rejection(slack.chat.postMessage({ channel: MEMBER, text: 'a' }))).data?.error).toBe('internal_error');
    expect((await rejection(slack.chat.postMessage({ channel: MEMBER, text: 'b' }))).data?.error).toBe('internal_error');
    await slack.chat.postMessage({ channel: MEMBER, text: 'c' });
    expect(fake.messages().map((m) => m.text)).toEqual(['c']);
  });

  it('stores exactly one message when WebClient retries through three 429s', async () => {
    // Retry-After: 0 is what keeps this fast: WebClient parseInt()s the header and sleeps that many seconds.
    fake.rateLimitNext('chat.postMessage', 3, 0);

    const posted = await slack.chat.postMessage({ channel: MEMBER, text: 'deploying' });

    expect(fake.calls('chat.postMessage').map((c) => c.httpStatus)).toEqual([429, 429, 429, 200]);
    expect(fake.calls('chat.postMessage')[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
    expect(fake.messages(MEMBER)).toEqual([expect.objectContaining({ ts: posted.ts, text: 'deploying' })]);
  });

  it('makes WebClient wait the Retry-After seconds before retrying', async () => {
    fake.rateLimitNext('chat.update', 1, 1);
    const posted = await slack.chat.postMessage({ channel: MEMBER, text: 'deploying' });

    await slack.chat.update({ channel: MEMBER, ts: posted.ts ?? '', text: 'deployed' });

    const [limited, retried] = fake.calls('chat.update');
    expect(limited?.httpStatus).toBe(429);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(fake.messages(MEMBER)[0]).toMatchObject({ text: 'deployed', editCount: 1 });
  });

  it('lets WebClient give up when the retries run out, having stored nothing', async () => {
    fake.rateLimitNext('chat.postMessage', 3, 0);
    const impatient = webClientFor(fake, { retryConfig: { ...FAST_RETRIES, retries: 1 } });

    const error = await rejection(impatient.chat.postMessage({ channel: MEMBER, text: 'x' }));

    expect(error.code).toBe('slack_webapi_request_error');
    expect(fake.messages()).toEqual([]);
  });

  it('surfaces the 429 at once to a client with rejectRateLimitedCalls', async () => {
    fake.rateLimitNext('chat.postMessage', 1, 30);
    const strict = webClientFor(fake, { rejectRateLimitedCalls: true });

    const error = await rejection(strict.chat.postMessage({ channel: MEMBER, text: 'x' }));

    expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    expect(fake.messages()).toEqual([]);
  });
});

describe('Slack Web API fake: per-conversation pacing', () => {
  it('rate limits a second post into the same conversation within postIntervalMs', async () => {
    const fake = await startSlackFake({ postIntervalMs: 300 });
    const strict = webClientFor(fake, { rejectRateLimitedCalls: true });
    try {
      await strict.chat.postMessage({ channel: MEMBER, text: 'one' });
      await strict.chat.postMessage({ channel: 'C0ANOTHER1', text: 'elsewhere' });
      const error = await rejection(strict.chat.postMessage({ channel: MEMBER, text: 'two' }));

      expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 1 });
      expect(fake.messages(MEMBER).map((m) => m.text)).toEqual(['one']);
    } finally {
      await fake.stop();
    }
  });
});
