import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { asFormBody, slackFixture } from './support/fixtures';
import { ciHeaders, GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';
import { closedPort, startSilentNats } from './support/unreachable-nats';

const build = new URLSearchParams({
  project: 'test1',
  image: 'registry.example.org/test1:abc',
  type: 'branch',
  target: 'staging',
}).toString();

function signedClick(nowSeconds: number): { body: string; headers: Record<string, string> } {
  const payload = JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json'));
  payload.actions[0] = { ...payload.actions[0], action_id: SlackActions.Approve, value: 'outage-build' };
  const body = asFormBody(payload);
  return { body, headers: slackHeaders(body, nowSeconds) };
}

const TRY_AGAIN = { response_type: 'ephemeral', text: 'deploybot could not take your click right now — please try again' };

describe('when NATS is unreachable (nothing listens on its port)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ gatewayNatsUrl: `nats://127.0.0.1:${await closedPort()}`, waitForStream: false });
  });
  afterAll(async () => gw.close());

  it('answers CI 503 with Retry-After, so CI retries', async () => {
    const response = await post(`${gw.baseUrl}/build-complete`, build, ciHeaders());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('answers a Slack click 200 with an ephemeral "try again"', async () => {
    const { body, headers } = signedClick(Math.floor(gw.clock.ms / 1000));
    const response = await post(`${gw.baseUrl}/slack/interactions`, body, headers);
    expect(response.status).toBe(200);
    expect(response.json).toEqual(TRY_AGAIN);
  });

  it('answers status queries 503', async () => {
    const response = await fetch(`${gw.baseUrl}/v1/builds/abc`, { headers: ciHeaders() });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('is alive but not ready', async () => {
    expect((await fetch(`${gw.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { nats: 'down' } });
  });
});

describe('when NATS takes the connection but never acknowledges', () => {
  let gw: GatewayHarness;
  let silent: Awaited<ReturnType<typeof startSilentNats>>;
  beforeAll(async () => {
    silent = await startSilentNats();
    gw = await startGateway({ gatewayNatsUrl: silent.url, waitForStream: false, options: { ciPublishTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await gw.close();
    await silent.stop();
  });

  it('answers a Slack click within Slack\'s 3 s: 200 with an ephemeral "try again" after 2.5 s', async () => {
    const { body, headers } = signedClick(Math.floor(gw.clock.ms / 1000));
    const started = Date.now();
    const response = await post(`${gw.baseUrl}/slack/interactions`, body, headers);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(200);
    expect(response.json).toEqual(TRY_AGAIN);
    expect(elapsed).toBeGreaterThanOrEqual(2_400);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('answers CI 503 once its publish deadline passed', async () => {
    const started = Date.now();
    const response = await post(`${gw.baseUrl}/build-complete`, build, ciHeaders());
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('counts the failed publishes by source and reason in /metrics', async () => {
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_gateway_publish_failures_total\{source="slack",subject="input.qa-verdict",reason="timeout"\} [1-9]/);
    expect(metrics).toMatch(
      /deploybot_gateway_publish_failures_total\{source="ci",subject="input.build-completed",reason="timeout"\} [1-9]/,
    );
  });
});
