import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SocketModeClient } from '@slack/socket-mode';
import { WebClient } from '@slack/web-api';
import { WebSocket } from 'ws';
import { startSlackFake, type SlackFake } from './index';

/** The real @slack/socket-mode client against the fake's Socket Mode endpoint, as the gateway uses it. */
describe('Slack fake: Socket Mode', () => {
  let fake: SlackFake;
  const clients: SocketModeClient[] = [];

  beforeAll(async () => {
    fake = await startSlackFake({ socketPingIntervalMs: 200 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    fake.reset();
  });
  afterAll(() => fake.stop());

  const client = (): SocketModeClient => {
    const c = new SocketModeClient({
      appToken: fake.appToken,
      clientOptions: { slackApiUrl: fake.apiUrl },
      clientPingTimeout: 300,
      logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'info' as never, setName() {} },
    });
    clients.push(c);
    return c;
  };

  it('apps.connections.open takes only the app-level token and answers a one-use ws:// URL', async () => {
    const app = await new WebClient(fake.appToken, { slackApiUrl: fake.apiUrl }).apps.connections.open();
    expect(app.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A0DEPLOYBT$/);
    await expect(new WebClient(fake.token, { slackApiUrl: fake.apiUrl }).apps.connections.open()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    await expect(new WebClient('xapp-1-wrong', { slackApiUrl: fake.apiUrl }).apps.connections.open()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
    const first = await openOnce(app.url as string);
    expect(first).toMatchObject({ type: 'hello', connection_info: { app_id: 'A0DEPLOYBT' } });
    await expect(openOnce(app.url as string)).rejects.toThrow(/401/);
  });

  it('delivers envelopes to the real client and reads its acks, with the response payload', async () => {
    const c = client();
    c.on('interactive', ({ ack, body }: { ack: (r?: object) => Promise<void>; body: { type: string } }) => void ack({ seen: body.type }));
    c.on(
      'slash_commands',
      ({ ack, body }: { ack: (r?: object) => Promise<void>; body: { text: string } }) =>
        void ack({ response_type: 'ephemeral', text: `you typed ${body.text}` }),
    );
    c.on('app_home_opened', ({ ack }: { ack: () => Promise<void> }) => void ack());
    await c.start();
    expect(fake.socketConnections()).toBe(1);

    expect(await fake.socketInteraction({ type: 'block_actions', actions: [] })).toMatchObject({ ack: { seen: 'block_actions' } });
    const command = await fake.socketSlashCommand({ user: 'U0QA00001', channel: 'C0123456789', text: 'help' });
    expect(command).toMatchObject({ answer: { text: 'you typed help' }, shown: { kind: 'ephemeral' } });
    expect(fake.ephemerals('U0QA00001')).toEqual([expect.objectContaining({ text: 'you typed help', via: 'slash-command' })]);
    expect(await fake.socketEvent({ type: 'app_home_opened', user: 'U0QA00001', tab: 'home' })).toMatchObject({ ack: {} });
    expect(fake.socketEnvelopes().map((e) => e.type)).toEqual(['interactive', 'slash_commands', 'events_api']);
    expect(fake.socketEnvelopes()[1]?.payload).toMatchObject({ command: '/deploybot', text: 'help', user_id: 'U0QA00001' });
  });

  it('an envelope nobody acknowledges within 3 s is a failure; none is sent without a connection', async () => {
    const c = client();
    await c.start();
    expect(await fake.socketInteraction({ type: 'block_actions' })).toMatchObject({ failure: 'no_ack' });
    await c.disconnect();
    expect(await fake.socketInteraction({ type: 'block_actions' }, 100)).toMatchObject({ failure: 'no_connection' });
  }, 10_000);

  it('a refresh (disconnect message) and a dropped connection are both followed by a new connection', async () => {
    const c = client();
    let connected = 0;
    c.on('connected', () => connected++);
    const before = fake.socketConnectionsOpened();
    await c.start();
    fake.refreshSocketConnections();
    await fake.waitFor(() => connected === 2 && fake.socketConnections() === 1, 5_000);
    fake.dropSocketConnections();
    expect(fake.socketConnections()).toBe(0);
    await fake.waitFor(() => connected === 3 && fake.socketConnections() === 1, 5_000);
    expect(fake.socketConnectionsOpened() - before).toBe(3);
    expect(fake.calls('apps.connections.open')).toHaveLength(3);
  }, 15_000);
});

/** Opens a URL once and resolves with the first message (hello), or rejects with the upgrade's refusal. */
function openOnce(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (data) => {
      resolve(JSON.parse(data.toString()));
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
