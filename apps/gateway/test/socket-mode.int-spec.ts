import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, StringCodec } from 'nats';
import { SlackActions, Subjects } from '@app/contracts';
import { startSlackFake, type SlackFake } from '../../../test/fakes/slack';
import { asFormBody, slackFixture } from './support/fixtures';
import { GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The real captured click (a DM button), made into a click on one of deploybot's buttons. */
function click(actionId: string, buildId: string): Json {
  const payload = JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json')) as Json;
  payload.actions[0] = { ...payload.actions[0], action_id: actionId, value: buildId };
  return payload;
}

const readyz = async (baseUrl: string): Promise<Json> => (await fetch(`${baseUrl}/readyz`)).json() as Promise<Json>;
const socketState = async (baseUrl: string): Promise<string | undefined> => (await readyz(baseUrl)).states?.['slack-socket'];

/**
 * Socket Mode: the gateway with SLACK_APP_TOKEN, the real @slack/socket-mode client, against the
 * Slack fake's Socket Mode endpoint, and real NATS. What comes through the socket must be served by
 * the same handlers as the HTTP routes: the same inputs, the same answers.
 */
describe('Socket Mode (SLACK_APP_TOKEN, the Slack fake, real NATS)', () => {
  let slack: SlackFake;
  let gw: GatewayHarness;
  const now = () => Math.floor(gw.clock.ms / 1000);

  beforeAll(async () => {
    slack = await startSlackFake({ socketPingIntervalMs: 200 });
    gw = await startGateway({
      env: { SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl },
      options: { socketPingTimeoutMs: 300, socketServerPingTimeoutMs: 2_000, socketReconnectDelayMs: 1_500 },
    });
    await slack.waitFor(() => slack.socketConnections() === 1, 5_000);
  });
  afterAll(async () => {
    await gw.close();
    await slack.stop();
  });

  it('opens the connection with the app token and shows it connected in /readyz', async () => {
    expect(slack.calls('apps.connections.open')).toHaveLength(1);
    expect(await readyz(gw.baseUrl)).toMatchObject({ status: 'ready', checks: { nats: 'up' }, states: { 'slack-socket': 'connected' } });
  });

  it.each([
    [SlackActions.Approve, Subjects.QaVerdict],
    [SlackActions.Promote, Subjects.PromoteRequested],
  ])('a %s click through the socket is acked at once and stored as the same input as over HTTP', async (actionId, subject) => {
    const overHttp = click(actionId, `http-${actionId}`);
    const body = asFormBody(overHttp);
    expect((await post(`${gw.baseUrl}/slack/interactions`, body, slackHeaders(body, now()))).status).toBe(200);
    const delivery = await slack.socketInteraction(click(actionId, `socket-${actionId}`));
    expect(delivery.failure).toBeUndefined();
    expect(delivery.ack).toEqual({});
    expect(delivery.tookMs).toBeLessThan(3_000);

    const inputs = await gw.inputs();
    const http = inputs.find((i) => i.envelope.correlationId === `http-${actionId}`);
    const socket = inputs.find((i) => i.envelope.correlationId === `socket-${actionId}`);
    expect(socket?.subject).toBe(subject);
    const { buildId: _h, ...httpData } = (http?.envelope.data ?? {}) as Json;
    const { buildId: _s, ...socketData } = (socket?.envelope.data ?? {}) as Json;
    expect(socketData).toEqual(httpData);
    expect(socket?.envelope).toMatchObject({
      type: http?.envelope.type,
      streamId: `build-socket-${actionId}`,
      actor: http?.envelope.actor,
    });
  });

  it('the same click delivered twice is stored once (its input id comes from the click, whatever carried it)', async () => {
    const payload = click(SlackActions.Close, 'socket-twice');
    await slack.socketInteraction(payload);
    await slack.socketInteraction(payload);
    expect((await gw.inputs()).filter((i) => i.envelope.correlationId === 'socket-twice')).toHaveLength(1);
  });

  it('a payload HTTP would refuse with 400 is acked empty and publishes nothing', async () => {
    const before = await gw.inputCount();
    expect(await slack.socketInteraction(click('someone.elses.button', 'socket-unknown'))).toMatchObject({ ack: {} });
    expect(await slack.socketInteraction({ type: 'view_submission', user: { id: 'U0QA00001' } })).toMatchObject({ ack: {} });
    expect(await gw.inputCount()).toBe(before);
  });

  it.each(['help', 'promote', 'launch test1'])(
    '/deploybot %s through the socket answers what HTTP answers, shown ephemeral',
    async (text) => {
      const socket = await slack.socketSlashCommand({ user: 'U0QA00001', channel: 'C0123456789', text });
      const http = await slack.slashCommand({
        url: `${gw.baseUrl}/slack/commands`,
        signingSecret: 'slack-signing-secret-for-tests',
        user: 'U0QA00001',
        channel: 'C0123456789',
        text,
      });
      expect(socket.failure).toBeUndefined();
      expect(socket.shown?.kind).toBe('ephemeral');
      expect(socket.answer).toEqual(http.answer);
    },
  );

  it('a slash command approvals does not answer is still answered within 3 s ("try again")', async () => {
    const socket = await slack.socketSlashCommand({ user: 'U0OWNER01', channel: 'C0123456789', text: 'status test1' });
    expect(socket.failure).toBeUndefined();
    expect(socket.tookMs).toBeLessThan(3_000);
    expect(String(socket.answer?.text)).toMatch(/cannot answer right now/);
  });

  it('app_home_opened over the socket is acked at once and asks the notifier to publish the Home, as over HTTP', async () => {
    const nc = await connect({ servers: gw.natsUrl });
    const asked: unknown[] = [];
    nc.subscribe(`${gw.prefix}.${Subjects.PublishHome}`, {
      callback: (_, msg) => {
        asked.push(JSON.parse(StringCodec().decode(msg.data)));
        msg.respond(StringCodec().encode(JSON.stringify({ ok: true })));
      },
    });
    await nc.flush();
    try {
      expect(await slack.socketEvent({ type: 'app_home_opened', user: 'U0QA00001', tab: 'home' })).toMatchObject({ ack: {} });
      expect(await slack.socketEvent({ type: 'app_mention', user: 'U0QA00001', text: 'hi' })).toMatchObject({ ack: {} });
      await slack.waitFor(() => asked.length > 0 || undefined, 3_000);
      expect(asked).toEqual([{ user: 'U0QA00001' }]);
    } finally {
      await nc.close();
    }
  });

  it('a dropped connection shows as reconnecting in /readyz, is opened again, and clicks go through it', async () => {
    const opened = slack.socketConnectionsOpened();
    slack.dropSocketConnections();
    await slack.waitFor(() => slack.socketConnections() === 0, 1_000);
    const seen = new Set<string | undefined>();
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && !(seen.has('reconnecting') && slack.socketConnections() === 1)) {
      seen.add(await socketState(gw.baseUrl));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toContain('reconnecting');
    expect((await readyz(gw.baseUrl)).status).toBe('ready'); // CI's webhooks keep being served meanwhile
    await slack.waitFor(() => slack.socketConnections() === 1, 5_000);
    expect(slack.socketConnectionsOpened()).toBe(opened + 1);
    await expect(socketState(gw.baseUrl)).resolves.toBe('connected');

    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_gateway_slack_socket_reconnects_total [1-9]/);
    expect(metrics).toMatch(/deploybot_gateway_slack_socket_connected 1/);

    expect(await slack.socketInteraction(click(SlackActions.Reject, 'socket-after-drop'))).toMatchObject({ ack: {} });
    expect((await gw.inputs()).some((i) => i.envelope.correlationId === 'socket-after-drop')).toBe(true);
  }, 20_000);

  it("Slack's refresh (a disconnect message) is followed by a new connection at once", async () => {
    const opened = slack.socketConnectionsOpened();
    const asked = Date.now();
    slack.refreshSocketConnections('warning');
    await slack.waitFor(() => slack.socketConnectionsOpened() === opened + 1 && slack.socketConnections() === 1, 8_000);
    expect(Date.now() - asked).toBeLessThan(1_000); // not the 1.5 s reconnect delay: Slack asked for it
    await expect(socketState(gw.baseUrl)).resolves.toBe('connected');
  }, 15_000);

  it('while Slack cannot be reached it keeps trying, and connects once Slack is back', async () => {
    await slack.setCondition({ kind: 'down' });
    await slack.waitFor(() => slack.socketConnections() === 0, 1_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a failed try after 1.5 s
    await expect(socketState(gw.baseUrl)).resolves.toBe('reconnecting');
    await slack.setCondition(undefined);
    await slack.waitFor(() => slack.socketConnections() === 1, 8_000);
    await expect(socketState(gw.baseUrl)).resolves.toBe('connected');
  }, 20_000);
});

describe('Socket Mode with an app token Slack refuses', () => {
  it('shows failed in /readyz, stays ready and keeps serving HTTP', async () => {
    const slack = await startSlackFake();
    const gw = await startGateway({
      env: { SLACK_APP_TOKEN: 'xapp-1-A0DEPLOYBT-1-revoked', SLACK_API_URL: slack.apiUrl },
      options: { socketReconnectDelayMs: 200 },
    });
    try {
      await slack.waitFor(() => slack.calls('apps.connections.open').some((c) => c.response.error === 'invalid_auth'), 3_000);
      await slack.waitFor(() => slack.calls('apps.connections.open').length >= 2, 3_000); // it tries again: a fixed app may accept it
      expect(await readyz(gw.baseUrl)).toMatchObject({ status: 'ready', states: { 'slack-socket': 'failed' } });
      const body = asFormBody(click(SlackActions.Approve, 'http-while-failed'));
      expect((await post(`${gw.baseUrl}/slack/interactions`, body, slackHeaders(body, Math.floor(gw.clock.ms / 1000)))).status).toBe(200);
    } finally {
      await gw.close();
      await slack.stop();
    }
  });
});

describe('Socket Mode without a signing secret', () => {
  it('serves Slack over the socket only: the HTTP routes for Slack answer 404 with the reason', async () => {
    const slack = await startSlackFake();
    const gw = await startGateway({ env: { SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl, SLACK_SIGNING_SECRET: '' } });
    try {
      await slack.waitFor(() => slack.socketConnections() === 1, 5_000);
      expect(await slack.socketInteraction(click(SlackActions.Approve, 'socket-only'))).toMatchObject({ ack: {} });
      expect((await gw.inputs()).some((i) => i.envelope.correlationId === 'socket-only')).toBe(true);
      const body = asFormBody(click(SlackActions.Approve, 'over-http'));
      for (const path of ['/slack/interactions', '/slack/commands', '/slack/events']) {
        const refused = await post(`${gw.baseUrl}${path}`, body, slackHeaders(body, Math.floor(Date.now() / 1000)));
        expect(refused).toMatchObject({ status: 404, json: { error: 'not found', message: expect.stringMatching(/Socket Mode/) } });
      }
      expect((await gw.inputs()).some((i) => i.envelope.correlationId === 'over-http')).toBe(false);
    } finally {
      await gw.close();
      await slack.stop();
    }
  });
});

describe('without SLACK_APP_TOKEN', () => {
  it('opens no socket and /readyz shows no socket state', async () => {
    const slack = await startSlackFake();
    const gw = await startGateway({ env: { SLACK_API_URL: slack.apiUrl } });
    try {
      expect(await readyz(gw.baseUrl)).toEqual({ status: 'ready', checks: { nats: 'up' } });
      expect(slack.calls('apps.connections.open')).toHaveLength(0);
    } finally {
      await gw.close();
      await slack.stop();
    }
  });
});
