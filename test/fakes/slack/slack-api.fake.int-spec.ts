import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { renderMessage, startSlackFake, type SlackFake } from './index';
import { webClientFor } from './slack-test-client';

const CHANNEL = 'C0123456789';
const QA = 'U0QA00001';
const OWNER = 'U0OWNER01';

const approvalBlocks = [
  { type: 'header', text: { type: 'plain_text', text: 'Build ready for QA' } },
  { type: 'section', text: { type: 'mrkdwn', text: 'Preview: <https://staging.branch.example.org|staging>' } },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'QA: <@U0QA00001>' }] },
  { type: 'divider' },
  {
    type: 'actions',
    elements: [
      { type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'qa.approve', value: 'b1', style: 'primary' },
      { type: 'button', text: { type: 'plain_text', text: 'Reject' }, action_id: 'qa.reject', value: 'b1', style: 'danger' },
    ],
  },
];

/** The platform error code a rejected WebClient call carries (`data.error`). */
async function slackError(call: Promise<unknown>): Promise<string> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as WebAPIPlatformError | undefined;
  if (!error) throw new Error('expected the Slack call to fail, but it succeeded');
  expect(error.code).toBe('slack_webapi_platform_error');
  return error.data.error;
}

describe('Slack Web API fake: messages through the real WebClient', () => {
  let fake: SlackFake;
  let slack: WebClient;

  beforeAll(async () => {
    fake = await startSlackFake();
    slack = webClientFor(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('answers auth.test with the bot identity', async () => {
    const auth = await slack.auth.test();
    expect(auth).toMatchObject({
      ok: true,
      team_id: expect.any(String),
      user_id: expect.stringMatching(/^U/),
      bot_id: expect.stringMatching(/^B/),
    });
  });

  it('posts to a channel and records the message with its blocks parsed', async () => {
    const posted = await slack.chat.postMessage({ channel: CHANNEL, text: 'Build ready', blocks: approvalBlocks });

    expect(posted).toMatchObject({ ok: true, channel: CHANNEL, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(posted.message).toMatchObject({ type: 'message', text: 'Build ready', ts: posted.ts, blocks: approvalBlocks });
    const [stored] = fake.messages(CHANNEL);
    expect(stored).toMatchObject({ channel: CHANNEL, ts: posted.ts, text: 'Build ready', blocks: approvalBlocks, editCount: 0 });
    expect(fake.calls('chat.postMessage')[0]?.args.blocks).toEqual(approvalBlocks);
  });

  it('gives every message a unique, increasing ts', async () => {
    const tss: string[] = [];
    for (let i = 0; i < 5; i++) tss.push((await slack.chat.postMessage({ channel: CHANNEL, text: `m${i}` })).ts ?? '');
    expect(new Set(tss).size).toBe(5);
    expect([...tss].sort((a, b) => Number(a) - Number(b))).toEqual(tss);
  });

  it('posts to a user id into their DM and answers the D… id, the same one conversations.open gives', async () => {
    const posted = await slack.chat.postMessage({ channel: QA, text: 'Please review' });
    const opened = await slack.conversations.open({ users: QA });

    expect(posted.channel).toBe(fake.dmChannelOf(QA));
    expect(posted.channel).toMatch(/^D/);
    expect(opened.channel?.id).toBe(posted.channel);
    expect(opened.already_open).toBe(true);
    expect(fake.messages(QA).map((m) => m.text)).toEqual(['Please review']);
    expect(fake.dmChannelOf(OWNER)).not.toBe(posted.channel);
  });

  it('updates a DM message by its D… id and keeps the edit history', async () => {
    const posted = await slack.chat.postMessage({ channel: QA, text: 'Approve?', blocks: approvalBlocks });
    const updated = await slack.chat.update({ channel: posted.channel ?? '', ts: posted.ts ?? '', text: 'Approved', blocks: [] });

    expect(updated).toMatchObject({ ok: true, channel: posted.channel, ts: posted.ts, text: 'Approved' });
    const [stored] = fake.messages(QA);
    expect(stored).toMatchObject({ text: 'Approved', editCount: 1, history: [{ text: 'Approve?', blocks: approvalBlocks }] });
    expect(stored?.blocks).toBeUndefined();
  });

  it('refuses to update by user id with channel_not_found, as Slack does', async () => {
    const posted = await slack.chat.postMessage({ channel: QA, text: 'Approve?' });

    expect(await slackError(slack.chat.update({ channel: QA, ts: posted.ts ?? '', text: 'Approved' }))).toBe('channel_not_found');
    expect(fake.messages(QA)[0]).toMatchObject({ text: 'Approve?', editCount: 0 });
  });

  it('answers message_not_found when updating an unknown ts', async () => {
    expect(await slackError(slack.chat.update({ channel: CHANNEL, ts: '1700000000.000001', text: 'x' }))).toBe('message_not_found');
  });

  it('threads replies under a parent and marks broadcast replies', async () => {
    const parent = await slack.chat.postMessage({ channel: OWNER, text: 'Build b1' });
    const dm = parent.channel ?? '';
    await slack.chat.postMessage({ channel: dm, thread_ts: parent.ts ?? '', text: '<@U0QA00001> approved this build' });
    const reply = await slack.chat.postMessage({ channel: dm, thread_ts: parent.ts ?? '', text: 'Ready', reply_broadcast: true });

    expect(reply.message).toMatchObject({ thread_ts: parent.ts, subtype: 'thread_broadcast' });
    const replies = fake.thread(OWNER, parent.ts ?? '');
    expect(replies.map((m) => m.text)).toEqual(['<@U0QA00001> approved this build', 'Ready']);
    expect(replies.map((m) => m.reply_broadcast)).toEqual([undefined, true]);
  });

  it('answers thread_not_found for a reply to a message that does not exist', async () => {
    const error = await slackError(slack.chat.postMessage({ channel: CHANNEL, thread_ts: '1700000000.000001', text: 'x' }));

    expect(error).toBe('thread_not_found');
    expect(fake.messages()).toEqual([]);
  });

  it('records an ephemeral message for one user and keeps it out of history', async () => {
    const answer = await slack.chat.postEphemeral({ channel: CHANNEL, user: OWNER, text: 'you are not allowed to approve' });

    expect(answer).toMatchObject({ ok: true, message_ts: expect.any(String) });
    expect(fake.ephemerals(OWNER)).toEqual([
      expect.objectContaining({ channel: CHANNEL, user: OWNER, text: 'you are not allowed to approve' }),
    ]);
    expect(fake.ephemerals(QA)).toEqual([]);
    expect(fake.messages()).toEqual([]);
  });

  it('refuses a message with neither text nor blocks (no_text) and malformed blocks (invalid_blocks)', async () => {
    expect(await slackError(slack.chat.postMessage({ channel: CHANNEL, text: '' }))).toBe('no_text');
    const tooLong = [
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x'.repeat(76) }, action_id: 'a' }] },
    ];
    expect(await slackError(slack.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: tooLong }))).toBe('invalid_blocks');
    expect(await slackError(slack.apiCall('chat.postMessage', { channel: CHANNEL, text: 'x', blocks: '[{not json' }))).toBe(
      'invalid_blocks',
    );
    expect(fake.messages()).toEqual([]);
  });

  it('renders a posted Block Kit message as readable lines', async () => {
    await slack.chat.postMessage({ channel: CHANNEL, text: 'Build ready', blocks: approvalBlocks });

    expect(renderMessage(fake.messages(CHANNEL)[0]!).split('\n')).toEqual([
      '# Build ready for QA',
      'Preview: staging (https://staging.branch.example.org)',
      '[context: QA: @U0QA00001]',
      '---',
      '[button: Approve (qa.approve)] [button: Reject (qa.reject)]',
    ]);
    expect(renderMessage({ text: 'deployed: <https://example.org>' })).toBe('deployed: https://example.org');
  });

  it('waitFor resolves with the first truthy value and times out listing the calls it saw', async () => {
    setTimeout(() => void slack.chat.postMessage({ channel: CHANNEL, text: 'later' }), 30);
    const message = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => m.text === 'later'));
    expect(message.text).toBe('later');

    await expect(fake.waitFor(() => fake.messages(CHANNEL).find((m) => m.text === 'never'), 50)).rejects.toThrow(
      /not met within 50 ms[\s\S]*chat\.postMessage channel=C0123456789 text="later" -> ok/,
    );
  });
});
