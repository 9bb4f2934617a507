import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, StringCodec, type NatsConnection, type Subscription } from 'nats';
import { RejectModalIds, SlackActions, Subjects } from '@app/contracts';
import { asFormBody, slackFixture } from './support/fixtures';
import { GatewayHarness, post, slackHeaders, startGateway } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const codec = StringCodec();

/** The real captured click, made into a click on Reject (or Approve) of build `buildId`. */
function click(actionId: string, buildId: string, actionTs = `${Date.now() / 1000}`): string {
  const payload = JSON.parse(slackFixture('interactions/block_actions.button.real-capture.heybot.json')) as Json;
  payload.actions[0] = { ...payload.actions[0], action_id: actionId, value: buildId, action_ts: actionTs };
  return asFormBody(payload);
}

/** A real view_submission, made into a submission of deploybot's reject modal. */
function submission(buildId: string, reason: string | null, viewId = `V${Date.now()}`): string {
  const payload = JSON.parse(slackFixture('interactions/view_submission.modal.bolt-python.json')) as Json;
  payload.user = { id: 'U01AZ88AQQ4', username: 'phoebe.ngsyd', name: 'phoebe.ngsyd', team_id: 'T01B5M3VC1X' };
  payload.view.id = viewId;
  payload.view.callback_id = RejectModalIds.callbackId;
  payload.view.private_metadata = JSON.stringify({ buildId, channel: 'D01ACC2E8S3', messageTs: '1600857119.015400' });
  payload.view.state.values = {
    [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: { type: 'plain_text_input', value: reason } },
  };
  return asFormBody(payload);
}

/** Plays the notifier's side of Subjects.OpenRejectModal: records each request and answers as told (or not at all). */
async function fakeNotifier(gw: GatewayHarness, answer: (request: Json) => Json | 'silence') {
  const nc: NatsConnection = await connect({ servers: gw.natsUrl });
  const requests: Json[] = [];
  const sub: Subscription = nc.subscribe(`${gw.prefix}.${Subjects.OpenRejectModal}`, {
    callback: (_, msg) => {
      const request = JSON.parse(codec.decode(msg.data)) as Json;
      requests.push(request);
      const reply = answer(request);
      if (reply !== 'silence') msg.respond(codec.encode(JSON.stringify(reply)));
    },
  });
  await nc.flush();
  return { requests, stop: async () => (sub.unsubscribe(), await nc.close()) };
}

describe('Reject with a reason: the modal and its submission (real NATS, real HTTP)', () => {
  let gw: GatewayHarness;
  let url: string;
  let notifier: Awaited<ReturnType<typeof fakeNotifier>> | undefined;
  const now = () => Math.floor(gw.clock.ms / 1000);
  const send = (body: string) => post(url, body, slackHeaders(body, now()));
  const storedFor = async (buildId: string) => (await gw.inputs()).filter((i) => i.envelope.correlationId === buildId);

  beforeAll(async () => {
    gw = await startGateway();
    url = `${gw.baseUrl}/slack/interactions`;
  });
  afterEach(async () => notifier?.stop());
  afterAll(async () => gw.close());

  it('a Reject click asks the notifier to open the modal with its trigger id, and stores nothing yet', async () => {
    notifier = await fakeNotifier(gw, () => ({ ok: true, viewId: 'V0MODAL01' }));
    const response = await send(click(SlackActions.Reject, 'modal-build'));
    expect([response.status, response.text]).toEqual([200, '']);
    expect(notifier.requests).toEqual([
      {
        triggerId: '1388105719492.1379717998065.9bc163894734c1f415a2c504e81dec91',
        user: 'U01AZ88AQQ4',
        metadata: { buildId: 'modal-build', channel: 'D01ACC2E8S3', messageTs: '1600857119.015400' },
      },
    ]);
    expect(await storedFor('modal-build')).toEqual([]);
  });

  it('Approve stays one click: no modal is asked for', async () => {
    notifier = await fakeNotifier(gw, () => ({ ok: true, viewId: 'V0MODAL02' }));
    await send(click(SlackActions.Approve, 'approve-build'));
    expect(notifier.requests).toEqual([]);
    expect((await storedFor('approve-build')).map((i) => i.envelope.data)).toEqual([expect.objectContaining({ verdict: 'approve' })]);
  });

  it('the submitted modal is stored as the QaVerdict reject with the reason, where the button was; a redelivery once', async () => {
    const body = submission('reasoned-build', '  the login page is blank on Safari ', 'V0SUBMIT01');
    const response = await send(body);
    expect([response.status, response.text]).toEqual([200, '']);
    await send(body);
    const stored = await storedFor('reasoned-build');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      subject: Subjects.QaVerdict,
      envelope: {
        type: 'QaVerdict',
        streamId: 'build-reasoned-build',
        actor: { kind: 'slack-user', id: 'U01AZ88AQQ4', name: 'phoebe.ngsyd' },
        data: {
          buildId: 'reasoned-build',
          verdict: 'reject',
          user: 'U01AZ88AQQ4',
          reason: 'the login page is blank on Safari',
          origin: { channel: 'D01ACC2E8S3', messageTs: '1600857119.015400' },
        },
      },
    });
  });

  it('a modal submitted empty is a reject without a reason', async () => {
    await send(submission('empty-reason-build', null));
    const [stored] = await storedFor('empty-reason-build');
    expect(stored.envelope.data).toMatchObject({ verdict: 'reject' });
    expect(stored.envelope.data).not.toHaveProperty('reason');
  });

  it('a reason over 500 characters is answered with an error under the input, and nothing is stored', async () => {
    const response = await send(submission('long-reason-build', 'x'.repeat(501)));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      response_action: 'errors',
      errors: { [RejectModalIds.reasonBlockId]: 'Please keep the reason to 500 characters (it has 501).' },
    });
    expect(await storedFor('long-reason-build')).toEqual([]);
  });

  it('falls back to the one-click reject when the notifier cannot open the modal', async () => {
    notifier = await fakeNotifier(gw, () => ({ ok: false, message: 'views.open failed: expired_trigger_id' }));
    expect((await send(click(SlackActions.Reject, 'refused-modal-build'))).status).toBe(200);
    expect(notifier.requests).toHaveLength(1);
    expect((await storedFor('refused-modal-build')).map((i) => i.envelope.data)).toEqual([expect.objectContaining({ verdict: 'reject' })]);
  });

  it('falls back to the one-click reject when no notifier answers, within Slack’s 3 s', async () => {
    notifier = await fakeNotifier(gw, () => 'silence');
    const started = Date.now();
    const response = await send(click(SlackActions.Reject, 'silent-notifier-build'));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(notifier.requests).toHaveLength(1);
    expect(await storedFor('silent-notifier-build')).toHaveLength(1);
  });

  it('counts the modals opened and the clicks that fell back to the one-click reject', async () => {
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/deploybot_gateway_reject_modals_total\{result="opened"\} [1-9]/);
    expect(metrics).toMatch(/deploybot_gateway_reject_modals_total\{result="fallback"\} [2-9]/);
  });
});
