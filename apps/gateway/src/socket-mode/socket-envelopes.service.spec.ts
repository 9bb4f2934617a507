import { describe, expect, it } from '@jest/globals';
import { RejectModalIds, SlackActions } from '@app/contracts';
import type { SlackEvents } from '../slack-events/slack-events.service';
import type { SlackClick } from '../slack/interaction-parser';
import { CLICK_NOT_TAKEN, type ClicksOutcome, type SlackInteractions } from '../slack/slack-interactions.service';
import type { SlashAnswer } from '../slash-commands/slash-answer';
import type { SlashCommands } from '../slash-commands/slash-commands.service';
import type { SlashRequest } from '../slash-commands/slash-request';
import { SocketEnvelopes } from './socket-envelopes.service';

/** Records the clicks it is handed and answers as told. */
class RecordingInteractions {
  taken: SlackClick[][] = [];
  constructor(private readonly outcome: ClicksOutcome = { kind: 'taken' }) {}
  submitted: unknown[] = [];
  async take(clicks: SlackClick[]): Promise<ClicksOutcome> {
    this.taken.push(clicks);
    return this.outcome;
  }
  async submit(view: unknown): Promise<ClicksOutcome> {
    this.submitted.push(view);
    return this.outcome;
  }
}

/** Records the commands it is asked and answers each with its text. */
class RecordingCommands {
  asked: SlashRequest[] = [];
  async answer(request: SlashRequest): Promise<SlashAnswer> {
    this.asked.push(request);
    return { response_type: 'ephemeral', text: `answer to ${request.text}` } as SlashAnswer;
  }
}

/** Records the Events API bodies it is handed. */
class RecordingEvents {
  taken: unknown[] = [];
  take(body: unknown): undefined {
    this.taken.push(body);
    return undefined;
  }
}

const serve = (interactions = new RecordingInteractions(), commands = new RecordingCommands(), events = new RecordingEvents()) => ({
  interactions,
  commands,
  events,
  envelopes: new SocketEnvelopes(
    interactions as unknown as SlackInteractions,
    commands as unknown as SlashCommands,
    events as unknown as SlackEvents,
  ),
});

const clickPayload = {
  type: 'block_actions',
  user: { id: 'U0QA00001' },
  actions: [{ action_id: SlackActions.Reject, value: 'b7', action_ts: '1700000000.000200' }],
};

describe('SocketEnvelopes: what each envelope is acknowledged with', () => {
  it('hands a click to SlackInteractions and acks it empty once taken', async () => {
    const { envelopes, interactions } = serve();
    expect(await envelopes.handle({ envelopeId: 'e1', type: 'interactive', payload: clickPayload })).toBeUndefined();
    expect(interactions.taken).toEqual([
      [expect.objectContaining({ actionId: SlackActions.Reject, buildId: 'b7', user: { id: 'U0QA00001' } })],
    ]);
  });

  it('acks a click NATS did not take with the same "try again" HTTP answers', async () => {
    const { envelopes } = serve(new RecordingInteractions({ kind: 'not-taken', answer: CLICK_NOT_TAKEN }));
    expect(await envelopes.handle({ envelopeId: 'e2', type: 'interactive', payload: clickPayload })).toEqual({ ...CLICK_NOT_TAKEN });
  });

  it('hands a submitted reject modal to SlackInteractions and acks with its answer (errors keep the modal open)', async () => {
    const errors = { response_action: 'errors' as const, errors: { [RejectModalIds.reasonBlockId]: 'too long' } };
    const { envelopes, interactions } = serve(new RecordingInteractions({ kind: 'answered', answer: errors }));
    const payload = {
      type: 'view_submission',
      user: { id: 'U0QA00001' },
      view: {
        id: 'V1',
        callback_id: RejectModalIds.callbackId,
        private_metadata: JSON.stringify({ buildId: 'b7' }),
        state: { values: { [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: { value: 'x'.repeat(501) } } } },
      },
    };
    expect(await envelopes.handle({ envelopeId: 'e6', type: 'interactive', payload })).toEqual(errors);
    expect(interactions.submitted).toEqual([{ ok: 'fix', errors: expect.any(Object) }]);
  });

  it('acks empty, handing nothing on, what HTTP refuses with 400', async () => {
    const { envelopes, interactions, commands } = serve();
    expect(await envelopes.handle({ envelopeId: 'e3', type: 'interactive', payload: { type: 'shortcut' } })).toBeUndefined();
    expect(await envelopes.handle({ envelopeId: 'e4', type: 'slash_commands', payload: { command: 'deploybot' } })).toBeUndefined();
    expect([interactions.taken, commands.asked]).toEqual([[], []]);
  });

  it('acks a slash command with the answer of SlashCommands, which Slack shows', async () => {
    const { envelopes, commands } = serve();
    const ack = await envelopes.handle({
      envelopeId: 'e5',
      type: 'slash_commands',
      payload: { command: '/deploybot', text: 'builds shop', user_id: 'U0OWNER01', channel_id: 'C0123456789' },
    });
    expect(ack).toEqual({ response_type: 'ephemeral', text: 'answer to builds shop' });
    expect(commands.asked).toEqual([{ command: '/deploybot', text: 'builds shop', userId: 'U0OWNER01', channelId: 'C0123456789' }]);
  });

  it('hands an events_api envelope to SlackEvents, as POST /slack/events does, and acks it empty', async () => {
    const { envelopes, events } = serve();
    const payload = { type: 'event_callback', event: { type: 'app_home_opened', user: 'U0QA00001', tab: 'home' } };
    expect(await envelopes.handle({ envelopeId: 'e9', type: 'events_api', payload })).toBeUndefined();
    expect(events.taken).toEqual([payload]);
  });

  it('acks events and unknown envelopes empty, and a handler that throws too', async () => {
    const throwing = { take: async () => Promise.reject(new Error('boom')) } as unknown as RecordingInteractions;
    const { envelopes } = serve(throwing);
    expect(
      await envelopes.handle({ envelopeId: 'e6', type: 'events_api', payload: { event: { type: 'app_home_opened' } } }),
    ).toBeUndefined();
    expect(await envelopes.handle({ envelopeId: 'e7', type: 'what', payload: {} })).toBeUndefined();
    expect(await envelopes.handle({ envelopeId: 'e8', type: 'interactive', payload: clickPayload })).toBeUndefined();
  });
});
