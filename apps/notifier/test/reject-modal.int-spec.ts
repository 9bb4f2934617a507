import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { REJECT_REASON_MAX_CHARS, RejectModalIds, Subjects, type OpenRejectModalReply } from '@app/contracts';
import { NotifierHarness } from './notifier-harness';

/** A trigger id as Slack hands one to a click: valid 3 s from `issuedAt` (the fake reads the time from it). */
const triggerId = (issuedAt = Date.now()) => `${issuedAt}.1.${Math.random().toString(16).slice(2)}`;
const metadata = { buildId: 'b-1', channel: 'D0QA00001', messageTs: '1700000000.000100' };

describe('notifier: opening the reject modal for the gateway (real WebClient against the Slack fake, real NATS)', () => {
  let h: NotifierHarness;
  const open = (request: unknown) => h.request<OpenRejectModalReply>(Subjects.OpenRejectModal, request);

  beforeAll(async () => {
    h = await NotifierHarness.create();
    await h.start();
  });
  afterAll(async () => h?.dispose());
  beforeEach(() => h.slack.reset());

  it('opens the modal with the click’s trigger id and answers with the view id', async () => {
    const trigger = triggerId();
    const reply = await open({ triggerId: trigger, user: 'U0QA00001', metadata });
    const [view] = h.slack.views();
    expect(reply).toEqual({ ok: true, viewId: view.id });
    expect(view.triggerId).toBe(trigger);
    expect(view.view).toMatchObject({
      type: 'modal',
      callback_id: RejectModalIds.callbackId,
      private_metadata: JSON.stringify(metadata),
      submit: { text: 'Reject' },
      blocks: expect.arrayContaining([
        expect.objectContaining({
          type: 'input',
          block_id: RejectModalIds.reasonBlockId,
          optional: true,
          element: expect.objectContaining({ action_id: RejectModalIds.reasonActionId, max_length: REJECT_REASON_MAX_CHARS }),
        }),
      ]),
    });
  });

  it('answers what Slack refused: an expired trigger id opens nothing', async () => {
    expect(await open({ triggerId: triggerId(Date.now() - 5_000), user: 'U0QA00001', metadata })).toEqual({
      ok: false,
      message: 'views.open failed: expired_trigger_id',
    });
    expect(h.slack.views()).toEqual([]);
  });

  it('answers within its short timeout when Slack is slow, so the gateway can still reject in time', async () => {
    h.slack.answerLateNext('views.open', 2_500);
    const started = Date.now();
    expect(await open({ triggerId: triggerId(), user: 'U0QA00001', metadata })).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a request that breaks the contract, naming the field', async () => {
    expect(await open({ triggerId: '', user: 'U0QA00001', metadata })).toMatchObject({
      ok: false,
      message: expect.stringContaining('triggerId'),
    });
  });
});
