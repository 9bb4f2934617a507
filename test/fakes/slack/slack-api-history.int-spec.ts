import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { startSlackFake, type SlackFake } from './index';
import { webClientFor } from './slack-test-client';

const CHANNEL = 'C0123456789';
const QA = 'U0QA00001';
const effect = (name: string) => ({ event_type: 'deploybot_effect', event_payload: { effect: name } });

describe('Slack Web API fake: conversations.history / replies and late answers, through the real WebClient', () => {
  let fake: SlackFake;
  let slack: WebClient;

  beforeAll(async () => {
    fake = await startSlackFake({ channels: [CHANNEL] });
    slack = webClientFor(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('lists top-level messages newest first, with metadata only when asked for', async () => {
    const first = await slack.chat.postMessage({ channel: CHANNEL, text: 'one', metadata: effect('a/1') });
    await slack.chat.postMessage({ channel: CHANNEL, text: 'in the thread', thread_ts: first.ts! });
    await slack.chat.postMessage({ channel: CHANNEL, text: 'shown in channel too', thread_ts: first.ts!, reply_broadcast: true });
    await slack.chat.postMessage({ channel: CHANNEL, text: 'two' });

    const plain = await slack.conversations.history({ channel: CHANNEL });
    expect(plain.messages?.map((m) => m.text)).toEqual(['two', 'shown in channel too', 'one']);
    expect(plain.messages?.some((m) => 'metadata' in m)).toBe(false);
    expect(plain.has_more).toBe(false);

    const withMetadata = await slack.conversations.history({ channel: CHANNEL, include_all_metadata: true });
    expect(withMetadata.messages?.at(-1)).toMatchObject({ text: 'one', ts: first.ts, bot_id: expect.any(String), metadata: effect('a/1') });
  });

  it('bounds by oldest/latest and pages with a cursor', async () => {
    const ts: string[] = [];
    for (let n = 1; n <= 5; n++) ts.push((await slack.chat.postMessage({ channel: CHANNEL, text: `m${n}` })).ts!);

    const after = await slack.conversations.history({ channel: CHANNEL, oldest: ts[1] });
    expect(after.messages?.map((m) => m.text)).toEqual(['m5', 'm4', 'm3']);
    const inclusive = await slack.conversations.history({ channel: CHANNEL, oldest: ts[1], latest: ts[3], inclusive: true });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await slack.conversations.history({ channel: CHANNEL, limit: 2, cursor });
      seen.push(...(page.messages ?? []).map((m) => m.text ?? ''));
      cursor = page.has_more ? page.response_metadata?.next_cursor : undefined;
    } while (cursor);
    expect(seen).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('lists a thread: the parent first, then the replies oldest first, with metadata', async () => {
    const parent = await slack.chat.postMessage({ channel: QA, text: 'please review' });
    await slack.chat.postMessage({ channel: parent.channel!, thread_ts: parent.ts!, text: 'approved', metadata: effect('b/2') });
    const thread = await slack.conversations.replies({ channel: parent.channel!, ts: parent.ts!, include_all_metadata: true });
    expect(thread.messages?.map((m) => m.text)).toEqual(['please review', 'approved']);
    expect(thread.messages?.[1]).toMatchObject({ thread_ts: parent.ts, metadata: effect('b/2') });
  });

  it('answers as Slack does for unknown conversations, threads and bad metadata', async () => {
    const code = (call: Promise<unknown>) =>
      call.then(
        () => 'ok',
        (e: WebAPIPlatformError) => e.data.error,
      );
    expect(await code(slack.conversations.history({ channel: 'C0NOPE0001' }))).toBe('channel_not_found');
    expect(await code(slack.conversations.history({ channel: QA }))).toBe('channel_not_found');
    expect(await code(slack.conversations.replies({ channel: CHANNEL, ts: '1.000001' }))).toBe('thread_not_found');
    expect(await code(slack.chat.postMessage({ channel: CHANNEL, text: 'x', metadata: { event_type: '', event_payload: {} } }))).toBe(
      'invalid_metadata_format',
    );
  });

  it('answerLateNext: the post is made, the answer comes after the client gave up', async () => {
    fake.answerLateNext('chat.postMessage', 600);
    const impatient = webClientFor(fake, { timeout: 200, retryConfig: { retries: 0 } });
    await expect(impatient.chat.postMessage({ channel: CHANNEL, text: 'slow' })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['slow']);
    // Only the next call was late.
    const started = Date.now();
    await slack.chat.postMessage({ channel: CHANNEL, text: 'fast' });
    expect(Date.now() - started).toBeLessThan(500);
  });
});
