import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { startSlackFake, type SlackFake } from './index';

/*
 * The fake's slash commands checked against the real thing on the other side of the wire:
 * @slack/bolt's HTTPReceiver (the official SDK's signature check and body parsing) must take
 * the fake's requests as Slack's, and the fake must show what Bolt acknowledges as Slack does.
 */

const SECRET = 'fake-slash-signing-secret';
const USER = 'U0OWNER01';
const CHANNEL = 'C0123456789';

describe('Slack fake: slash commands, as the real @slack/bolt receiver reads them', () => {
  let fake: SlackFake;
  let app: App;
  let url: string;
  const seen: Array<Record<string, string>> = [];
  let answer: (text: string) => unknown = () => undefined;

  beforeAll(async () => {
    fake = await startSlackFake({ channels: [CHANNEL] });
    app = new App({
      signingSecret: SECRET,
      token: 'xoxb-not-used',
      botId: 'B0TEST',
      botUserId: 'U0TESTBOT',
      tokenVerificationEnabled: false,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    app.command('/deploybot', async ({ command, ack }) => {
      seen.push({ ...command } as unknown as Record<string, string>);
      await ack(answer(command.text) as never);
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
    seen.length = 0;
  });

  it("is accepted by Bolt's signature check and read into the fields Slack documents", async () => {
    answer = () => ({ response_type: 'ephemeral', text: 'ok' });
    const result = await fake.slashCommand({
      url,
      signingSecret: SECRET,
      user: USER,
      channel: CHANNEL,
      text: 'promote shop branch/feature/a+b',
    });
    expect(result.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      command: '/deploybot',
      text: 'promote shop branch/feature/a+b',
      user_id: USER,
      channel_id: CHANNEL,
      team_id: 'T0DEPLOYBT',
      api_app_id: 'A0DEPLOYBT',
      response_url: expect.stringMatching(/^https:\/\/hooks\.slack\.com\/commands\//),
      trigger_id: expect.any(String),
    });
  });

  it('is refused by Bolt when signed with another secret, or too old', async () => {
    const wrong = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'x', badSignature: true });
    expect(wrong.status).toBe(401);
    const old = await fake.slashCommand({
      url,
      signingSecret: SECRET,
      user: USER,
      channel: CHANNEL,
      text: 'x',
      signedAtMs: Date.now() - 6 * 60_000,
    });
    expect(old.status).toBe(401);
    expect(seen).toHaveLength(0);
    expect(fake.ephemerals()).toEqual([]);
  });

  it('shows an ephemeral answer (with its blocks) to the person alone, where they typed the command', async () => {
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: '*shop* branch `a`' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'deploybot.owner.promote',
            text: { type: 'plain_text', text: 'Deploy to production' },
            value: 'b-1',
            confirm: {
              title: { type: 'plain_text', text: 'Deploy?' },
              text: { type: 'mrkdwn', text: 'Sure?' },
              confirm: { type: 'plain_text', text: 'Deploy' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
        ],
      },
    ];
    answer = () => ({ response_type: 'ephemeral', text: 'Deploy?', blocks });
    const result = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'promote' });
    expect(result.shown).toEqual({ kind: 'ephemeral', channel: CHANNEL, ts: expect.any(String) });
    expect(fake.ephemerals(USER)).toEqual([
      expect.objectContaining({
        channel: CHANNEL,
        user: USER,
        text: 'Deploy?',
        blocks,
        via: 'slash-command',
        message_ts: result.shown!.ts,
      }),
    ]);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('shows an in_channel answer as a message of the conversation, and an empty ack as nothing', async () => {
    answer = (text) => (text === 'loud' ? { response_type: 'in_channel', text: 'for everyone' } : undefined);
    expect((await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'loud' })).shown?.kind).toBe(
      'in_channel',
    );
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['for everyone']);
    const quiet = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'quiet' });
    expect(quiet).toMatchObject({ status: 200 });
    expect(quiet.shown).toBeUndefined();
    expect(fake.ephemerals()).toEqual([]);
  });

  it('reports as a failure blocks Slack would refuse (a confirm dialog over its limits)', async () => {
    const longConfirm = {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'a',
          text: { type: 'plain_text', text: 'Go' },
          confirm: {
            title: { type: 'plain_text', text: 'T' },
            text: { type: 'mrkdwn', text: 'x'.repeat(301) },
            confirm: { type: 'plain_text', text: 'Yes' },
            deny: { type: 'plain_text', text: 'No' },
          },
        },
      ],
    };
    answer = () => ({ response_type: 'ephemeral', text: 'x', blocks: [longConfirm] });
    const result = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'x' });
    expect(result.failure).toBe(
      'invalid_blocks: [ERROR] must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]',
    );
    expect(fake.ephemerals()).toEqual([]);
  });
});

describe('Slack fake: slash commands to an app that answers late or fails', () => {
  let fake: SlackFake;
  let server: Server;
  let url: string;
  let respond: (res: import('node:http').ServerResponse) => void = (res) => res.end();

  beforeAll(async () => {
    fake = await startSlackFake();
    server = createServer((_req, res) => respond(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/commands`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fake.stop();
  });

  it('gives up after 3 s, as Slack does (operation_timeout)', async () => {
    respond = (res) => setTimeout(() => res.end(), 3_500);
    const result = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'status' });
    expect(result.failure).toBe('operation_timeout');
    expect(result.tookMs).toBeGreaterThanOrEqual(2_900);
    expect(result.tookMs).toBeLessThan(3_400);
  });

  it('shows no answer for a status other than 200', async () => {
    respond = (res) => {
      res.writeHead(500);
      res.end('boom');
    };
    const result = await fake.slashCommand({ url, signingSecret: SECRET, user: USER, channel: CHANNEL, text: 'status' });
    expect(result).toMatchObject({ status: 500, failure: 'http_status_500', raw: 'boom' });
    expect(fake.ephemerals()).toEqual([]);
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
