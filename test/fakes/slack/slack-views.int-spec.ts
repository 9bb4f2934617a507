import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { startSlackFake, type SlackFake } from './index';
import { webClientFor } from './slack-test-client';

/*
 * The fake's modals checked against the real clients on both sides of the wire: the real
 * @slack/web-api WebClient opens them (`views.open`), and @slack/bolt's HTTPReceiver (the
 * official SDK's signature check and payload parsing) takes the fake's `view_submission` as Slack's.
 */

const SECRET = 'fake-views-signing-secret';
const USER = 'U0QA00001';
const modal = (title = 'Reject this build') => ({
  type: 'modal' as const,
  callback_id: 'test.reason',
  private_metadata: JSON.stringify({ buildId: 'b-1' }),
  title: { type: 'plain_text' as const, text: title },
  submit: { type: 'plain_text' as const, text: 'Reject' },
  blocks: [
    {
      type: 'input' as const,
      block_id: 'why',
      optional: true,
      label: { type: 'plain_text' as const, text: 'Why?' },
      element: { type: 'plain_text_input' as const, action_id: 'reason', multiline: true, max_length: 500 },
    },
  ],
});
const trigger = (issuedAt = Date.now()) => `${issuedAt}.1.${Math.random().toString(16).slice(2)}`;

describe('Slack fake: views.open and view_submission', () => {
  let fake: SlackFake;
  let app: App;
  let url: string;
  const submitted: Array<{ user: string; metadata: string; values: unknown }> = [];
  let answer: () => unknown = () => undefined;

  beforeAll(async () => {
    fake = await startSlackFake();
    app = new App({
      signingSecret: SECRET,
      token: 'xoxb-not-used',
      botId: 'B0TEST',
      botUserId: 'U0TESTBOT',
      tokenVerificationEnabled: false,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    app.view('test.reason', async ({ ack, view, body }) => {
      submitted.push({ user: body.user.id, metadata: view.private_metadata, values: view.state.values });
      await ack(answer() as never);
    });
    const port = await freePort();
    await app.start(port);
    url = `http://127.0.0.1:${port}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.stop();
  });

  beforeEach(() => {
    fake.reset();
    submitted.length = 0;
    answer = () => undefined;
  });

  it('opens a modal for the real WebClient and keeps it, as Slack answers it', async () => {
    const triggerId = trigger();
    const opened = await webClientFor(fake).views.open({ trigger_id: triggerId, view: modal() });
    expect(opened.ok).toBe(true);
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'test.reason', state: { values: {} } });
    expect(fake.views()).toEqual([expect.objectContaining({ id: opened.view!.id, triggerId, submissions: [] })]);
    expect(fake.calls('views.open')[0].args.view).toMatchObject({ type: 'modal', title: { text: 'Reject this build' } });
  });

  it('refuses a trigger id older than 3 s, one used before, and a modal Slack would refuse', async () => {
    const client = webClientFor(fake);
    await expect(client.views.open({ trigger_id: trigger(Date.now() - 3_500), view: modal() })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    const used = trigger();
    await client.views.open({ trigger_id: used, view: modal() });
    await expect(client.views.open({ trigger_id: used, view: modal() })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    await expect(client.views.open({ trigger_id: trigger(), view: modal('A title far longer than 24') })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: [expect.stringContaining('/view/title/text')] } },
    });
    expect(fake.views()).toHaveLength(1);
  });

  it('submits a modal signed as Slack does: Bolt reads it, and an empty ack closes it', async () => {
    const opened = await webClientFor(fake).views.open({ trigger_id: trigger(), view: modal() });
    const result = await fake.submitView({
      url,
      signingSecret: SECRET,
      viewId: opened.view!.id!,
      user: USER,
      values: { why: { reason: 'broken' } },
    });
    expect(result).toMatchObject({ status: 200, closed: true });
    expect(submitted).toEqual([
      {
        user: USER,
        metadata: JSON.stringify({ buildId: 'b-1' }),
        values: { why: { reason: { type: 'plain_text_input', value: 'broken' } } },
      },
    ]);
    expect(fake.views()[0]).toMatchObject({ closedAt: expect.any(Number), submissions: [expect.objectContaining({ closed: true })] });
  });

  it('keeps the modal open with the errors the app answers, and then takes the corrected submission', async () => {
    const opened = await webClientFor(fake).views.open({ trigger_id: trigger(), view: modal() });
    const viewId = opened.view!.id!;
    answer = () => ({ response_action: 'errors', errors: { why: 'too long' } });
    expect(await fake.submitView({ url, signingSecret: SECRET, viewId, user: USER, values: { why: { reason: 'x' } } })).toMatchObject({
      closed: false,
      errors: { why: 'too long' },
    });
    answer = () => undefined;
    expect(await fake.submitView({ url, signingSecret: SECRET, viewId, user: USER, values: { why: { reason: null } } })).toMatchObject({
      closed: true,
    });
    expect(submitted).toHaveLength(2);
  });

  it('is refused by Bolt without the right signature', async () => {
    const opened = await webClientFor(fake).views.open({ trigger_id: trigger(), view: modal() });
    const result = await fake.submitView({
      url,
      signingSecret: SECRET,
      badSignature: true,
      viewId: opened.view!.id!,
      user: USER,
      values: { why: { reason: 'x' } },
    });
    expect(result).toMatchObject({ status: 401, closed: false, failure: 'http_status_401' });
    expect(submitted).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
