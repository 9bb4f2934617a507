import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions, Subjects } from '@app/contracts';
import { asFormBody, signingVectors, slackFixture } from './support/fixtures';
import { GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const realClick = (): Json => JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json')) as Json;
const legacyClick = (): Json => JSON.parse(slackFixture('interactions/interactive_message.button.real-capture.operationcode.json')) as Json;

/** The real captured click, made into a click on one of deploybot's buttons. */
function click(actionId: string, buildId: string, overrides: { userId?: string; actionTs?: string } = {}): string {
  const payload = realClick();
  payload.actions[0] = {
    ...payload.actions[0],
    action_id: actionId,
    value: buildId,
    action_ts: overrides.actionTs ?? payload.actions[0].action_ts,
  };
  if (overrides.userId) payload.user.id = overrides.userId;
  return asFormBody(payload);
}

describe('POST /slack/interactions (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  let url: string;
  const now = () => Math.floor(gw.clock.ms / 1000);
  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/slack/interactions`;
  });
  afterAll(async () => gw.close());

  it.each([
    [SlackActions.Approve, Subjects.QaVerdict, 'QaVerdict', { verdict: 'approve' }],
    [SlackActions.Reject, Subjects.QaVerdict, 'QaVerdict', { verdict: 'reject' }],
    [SlackActions.Promote, Subjects.PromoteRequested, 'PromoteRequested', {}],
    [SlackActions.Close, Subjects.CloseRequested, 'CloseRequested', {}],
  ])('a signed %s click is answered 200 with an empty body and stored on %s', async (actionId, subject, type, extra) => {
    const buildId = `build-for-${actionId}`;
    const body = click(actionId, buildId);
    const response = await post(url, body, slackHeaders(body, now()));
    expect(response.status).toBe(200);
    expect(response.text).toBe('');

    const stored = (await gw.inputs()).filter((i) => i.envelope.correlationId === buildId);
    expect(stored).toHaveLength(1);
    expect(stored[0].subject).toBe(subject);
    expect(stored[0].envelope).toMatchObject({
      type,
      streamId: `build-${buildId}`,
      version: 0,
      actor: { kind: 'slack-user', id: 'U01AZ88AQQ4', name: 'phoebe.ngsyd' },
      data: {
        buildId,
        user: 'U01AZ88AQQ4',
        origin: {
          channel: 'D01ACC2E8S3',
          messageTs: '1600857119.015400',
          responseUrl: expect.stringMatching(/^https:\/\/hooks\.slack\.com\//),
          triggerId: expect.any(String),
        },
        ...extra,
      },
    });
  });

  it("also answers on the original ci-bot's path /slack-interactions, and understands legacy interactive_message clicks", async () => {
    const payload = legacyClick();
    payload.actions[0] = { ...payload.actions[0], name: SlackActions.Approve, value: 'legacy-build' };
    const body = asFormBody(payload);
    const response = await post(`${gw.baseUrl}/slack-interactions`, body, slackHeaders(body, now()));
    expect(response.status).toBe(200);
    const stored = (await gw.inputs()).filter((i) => i.envelope.correlationId === 'legacy-build');
    expect(stored.map((s) => [s.subject, s.envelope.actor])).toEqual([
      [Subjects.QaVerdict, { kind: 'slack-user', id: 'U8N6XBL7Q', name: 'ic4rusx' }],
    ]);
  });

  it('stores a redelivered click once; another click by the same person is a new input', async () => {
    const body = click(SlackActions.Approve, 'dedup-build');
    await post(url, body, slackHeaders(body, now()));
    const redelivered = await post(url, body, slackHeaders(body, now() + 2));
    expect(redelivered.status).toBe(200);
    expect((await gw.inputs()).filter((i) => i.envelope.correlationId === 'dedup-build')).toHaveLength(1);

    const later = click(SlackActions.Approve, 'dedup-build', { actionTs: '1600857999.000001' });
    await post(url, later, slackHeaders(later, now()));
    expect((await gw.inputs()).filter((i) => i.envelope.correlationId === 'dedup-build')).toHaveLength(2);
  });

  describe('refusals publish nothing', () => {
    let before: number;
    beforeAll(async () => {
      before = await gw.inputCount();
    });
    afterAll(async () => {
      expect(await gw.inputCount()).toBe(before);
    });

    const body = () => click(SlackActions.Promote, 'refused-build');

    it('401 without signature headers', async () => {
      const response = await post(url, body(), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ error: 'unauthorized', message: 'X-Slack-Signature and X-Slack-Request-Timestamp are required' });
    });

    it('401 for a body changed after signing', async () => {
      const signed = slackHeaders(body(), now());
      const response = await post(url, body().replace('phoebe.ngsyd', 'mallory'), signed);
      expect(response.status).toBe(401);
      expect(response.json.message).toBe('X-Slack-Signature does not match the body');
    });

    it('401 for a request signed with another secret', async () => {
      const response = await post(url, body(), slackHeaders(body(), now(), 'another-signing-secret'));
      expect(response.status).toBe(401);
    });

    it('401 for a correctly signed request older than five minutes', async () => {
      const response = await post(url, body(), slackHeaders(body(), now() - 301));
      expect(response.status).toBe(401);
      expect(response.json.message).toContain('more than 5 minutes');
    });

    it('400, not 5xx, for signed bodies that are not clicks on our buttons', async () => {
      const bodies = [
        'payload=%7Bnot-json',
        'nothing=here',
        slackFixture('interactions/shortcut.bolt-js.form-body.txt'),
        asFormBody(realClick()),
        click('deploybot.something.else', 'b1'),
      ];
      for (const raw of bodies) {
        const response = await post(url, raw, slackHeaders(raw, now()));
        expect(response.status).toBe(400);
        expect(response.json.error).toBe('invalid interaction');
      }
    });

    it('401 for a JSON body with a valid signature of another body', async () => {
      const response = await post(url, '{"type":"block_actions"}', { ...slackHeaders(body(), now()), 'content-type': 'application/json' });
      expect(response.status).toBe(401);
    });

    it('413 for a body over 64 KiB', async () => {
      const raw = `${body()}&padding=${'x'.repeat(65 * 1024)}`;
      const response = await post(url, raw, slackHeaders(raw, now()));
      expect(response.status).toBe(413);
    });
  });

  it('answers 200 with an ephemeral "try again" when JetStream cannot take the click', async () => {
    await gw.deleteInputStream();
    const raw = click(SlackActions.Approve, 'no-stream-build');
    const response = await post(url, raw, slackHeaders(raw, now()));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_type: 'ephemeral', text: 'deploybot could not take your click right now — please try again' });
  });
});

describe("Slack's published signing example against a gateway with its secret", () => {
  const [docs] = signingVectors();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': docs.timestamp,
    'x-slack-signature': docs.expected_signature,
  };
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ signingSecret: docs.signing_secret });
  });
  afterAll(async () => gw.close());

  it('passes the signature check with the clock pinned to its timestamp (and is then refused as no click, 400)', async () => {
    gw.clock.ms = Number(docs.timestamp) * 1000;
    const response = await post(`${gw.baseUrl}/slack/interactions`, docs.body, headers);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'invalid interaction', message: 'expected a form body payload=<JSON>' });
  });

  it('is refused as stale with the real clock', async () => {
    gw.clock.ms = Date.now();
    const response = await post(`${gw.baseUrl}/slack/interactions`, docs.body, headers);
    expect(response.status).toBe(401);
    expect(response.json.message).toContain('more than 5 minutes');
  });

  it('is refused when one byte of the body changes, even with the clock pinned', async () => {
    gw.clock.ms = Number(docs.timestamp) * 1000;
    const response = await post(`${gw.baseUrl}/slack/interactions`, `${docs.body}------`, headers);
    expect(response.status).toBe(401);
    expect(await gw.inputCount()).toBe(0);
  });
});
