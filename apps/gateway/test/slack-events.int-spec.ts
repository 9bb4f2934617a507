import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, StringCodec, type NatsConnection, type Subscription } from 'nats';
import { Subjects } from '@app/contracts';
import { appHomeOpened, eventCallback, sendEvent, urlVerification } from '../../../test/fakes/slack';
import { GatewayHarness, post, SIGNING_SECRET, slackHeaders, startGateway } from './support/gateway-harness';

const codec = StringCodec();

/** Plays the notifier's side of Subjects.PublishHome: records each request and answers after `delayMs`. */
async function fakeNotifier(gw: GatewayHarness, delayMs = 0) {
  const nc: NatsConnection = await connect({ servers: gw.natsUrl });
  const requests: unknown[] = [];
  const sub: Subscription = nc.subscribe(`${gw.prefix}.${Subjects.PublishHome}`, {
    callback: (_, msg) => {
      requests.push(JSON.parse(codec.decode(msg.data)));
      setTimeout(() => msg.respond(codec.encode(JSON.stringify({ ok: true }))), delayMs);
    },
  });
  await nc.flush();
  return { requests, stop: async () => (sub.unsubscribe(), await nc.close()) };
}

const until = async (done: () => boolean, timeoutMs = 3_000) => {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('POST /slack/events: the Events API (real NATS, real HTTP, the Slack fake as sender)', () => {
  let gw: GatewayHarness;
  let url: string;
  let notifier: Awaited<ReturnType<typeof fakeNotifier>> | undefined;

  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/slack/events`;
  });
  afterEach(async () => notifier?.stop());
  afterAll(async () => gw.close());

  it("answers Slack's url_verification with the challenge", async () => {
    const answer = await sendEvent(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'), {
      url,
      signingSecret: SIGNING_SECRET,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body!)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('refuses a request not signed by Slack, and asks the notifier nothing', async () => {
    notifier = await fakeNotifier(gw);
    const refused = await sendEvent(eventCallback(appHomeOpened('U0QA00001')), { url, signingSecret: SIGNING_SECRET, badSignature: true });
    expect(refused.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(notifier.requests).toEqual([]);
  });

  it('acks app_home_opened at once and asks the notifier to publish that person’s Home, however long it takes', async () => {
    notifier = await fakeNotifier(gw, 2_000);
    const acked = await sendEvent(eventCallback(appHomeOpened('U0QA00001')), { url, signingSecret: SIGNING_SECRET });
    expect([acked.status, acked.body]).toEqual([200, '']);
    expect(acked.tookMs).toBeLessThan(1_000);
    await until(() => notifier!.requests.length > 0);
    expect(notifier.requests).toEqual([{ user: 'U0QA00001' }]);
  });

  it('acks other events and the Messages tab without asking anything, and answers 400 to a body that is not JSON', async () => {
    notifier = await fakeNotifier(gw);
    for (const event of [appHomeOpened('U0QA00001', 'messages'), { type: 'app_mention', user: 'U0QA00001', text: 'hi' }]) {
      const acked = await sendEvent(eventCallback(event), { url, signingSecret: SIGNING_SECRET });
      expect([acked.status, acked.body]).toEqual([200, '']);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(notifier.requests).toEqual([]);
    expect(await gw.inputCount()).toBe(0);
    const notJson = await post(url, 'payload=x', slackHeaders('payload=x', Math.floor(gw.clock.ms / 1000)));
    expect(notJson.status).toBe(400);
  });
});
