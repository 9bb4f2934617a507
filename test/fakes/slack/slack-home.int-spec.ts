import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { appHomeOpened, eventCallback, sendEvent, startSlackFake, urlVerification, type SlackFake } from './index';
import { webClientFor } from './slack-test-client';

/*
 * The fake's App Home checked against the real clients on both sides of the wire: the real
 * @slack/web-api WebClient publishes Home tabs (`views.publish`), and @slack/bolt's HTTPReceiver
 * (the official SDK's signature check, url_verification answer and event parsing) takes the fake's
 * Events API requests as Slack's.
 */

const SECRET = 'fake-home-signing-secret';
const USER = 'U0QA00001';
const home = (text: string, blocks = 1) => ({
  type: 'home' as const,
  blocks: Array.from({ length: blocks }, (_, i) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `${text} ${i}` } })),
});

describe('Slack fake: views.publish and the Events API', () => {
  let fake: SlackFake;
  let app: App;
  let url: string;
  const opened: Array<{ user: string; tab: string }> = [];

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
    app.event('app_home_opened', async ({ event }) => {
      opened.push({ user: event.user, tab: String(event.tab) });
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
    opened.length = 0;
  });

  it("publishes a person's Home for the real WebClient, replacing the one before under the same view id", async () => {
    const client = webClientFor(fake);
    const first = await client.views.publish({ user_id: USER, view: home('first') });
    expect(first.ok).toBe(true);
    expect(first.view).toMatchObject({ id: expect.stringMatching(/^V/), type: 'home', hash: expect.any(String) });
    const second = await client.views.publish({ user_id: USER, view: home('second'), hash: first.view!.hash });
    expect(second.view!.id).toBe(first.view!.id);
    expect(fake.homes(USER).map((h) => (h.view.blocks as Array<{ text: { text: string } }>)[0].text.text)).toEqual(['first 0', 'second 0']);
    expect(fake.homes('U0OWNER01')).toEqual([]);
  });

  it('refuses what Slack refuses: a stale hash, more than 100 blocks, a view that is not a home, an unknown user', async () => {
    const client = webClientFor(fake, { retryConfig: { retries: 0 } });
    await client.views.publish({ user_id: USER, view: home('now') });
    await expect(client.views.publish({ user_id: USER, view: home('stale'), hash: 'old.hash' })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    await expect(client.views.publish({ user_id: USER, view: home('long', 101) })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    await expect(client.views.publish({ user_id: USER, view: { ...home('modal'), type: 'modal' } as never })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    await expect(client.views.publish({ user_id: 'nobody', view: home('x') })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    expect(fake.homes(USER)).toHaveLength(1);
    // 100 blocks is a Home's limit, not a message's 50.
    expect((await client.views.publish({ user_id: USER, view: home('full', 100) })).ok).toBe(true);
  });

  it("sends url_verification and app_home_opened signed as Slack does: Bolt's receiver answers the challenge and takes the event", async () => {
    const verified = await sendEvent(urlVerification('the-challenge'), { url, signingSecret: SECRET });
    expect(verified.status).toBe(200);
    expect(verified.body).toContain('the-challenge');
    const delivered = await sendEvent(eventCallback(appHomeOpened(USER)), { url, signingSecret: SECRET });
    expect(delivered.status).toBe(200);
    expect(opened).toEqual([{ user: USER, tab: 'home' }]);
  });

  it('signs with the secret it is given, so a wrong one is refused by the real check', async () => {
    const refused = await sendEvent(eventCallback(appHomeOpened(USER)), { url, signingSecret: SECRET, badSignature: true });
    expect(refused.status).toBe(401);
    expect(opened).toEqual([]);
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
