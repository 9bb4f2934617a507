import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { routeEnvelope } from './socket-envelope';

const click = (actionId: string = SlackActions.Approve) => ({
  type: 'block_actions',
  user: { id: 'U0QA00001', username: 'qa' },
  actions: [{ action_id: actionId, value: 'b1', action_ts: '1700000000.000100' }],
  container: { channel_id: 'D0QA00001', message_ts: '1700000000.000001' },
  trigger_id: '1.2.3',
});

describe('routeEnvelope: a Socket Mode envelope goes to the handler of the HTTP route with the same payload', () => {
  it('reads an interactive envelope as the interactions route reads its payload field', () => {
    expect(routeEnvelope({ type: 'interactive', payload: click() })).toEqual({
      kind: 'interaction',
      parse: {
        ok: true,
        type: 'block_actions',
        clicks: [
          {
            actionId: SlackActions.Approve,
            buildId: 'b1',
            user: { id: 'U0QA00001', name: 'qa' },
            clickedAt: '1700000000.000100',
            origin: { channel: 'D0QA00001', messageTs: '1700000000.000001', responseUrl: undefined, triggerId: '1.2.3' },
          },
        ],
      },
    });
  });

  it('refuses, with the reason HTTP gives, a click on a button that is not deploybot’s and an interaction that is not a click', () => {
    expect(routeEnvelope({ type: 'interactive', payload: click('other.button') })).toMatchObject({
      kind: 'interaction',
      parse: { ok: false, message: expect.stringMatching(/^unknown action id "other.button"/) },
    });
    expect(routeEnvelope({ type: 'interactive', payload: { type: 'shortcut' } })).toMatchObject({
      parse: { ok: false, message: expect.stringMatching(/unsupported interaction type "shortcut"/) },
    });
    expect(routeEnvelope({ type: 'interactive', payload: { type: 'view_submission' } })).toMatchObject({
      parse: { ok: false, message: expect.stringMatching(/^payload\.(user|view)/) },
    });
    expect(routeEnvelope({ type: 'interactive', payload: 'payload=%7B%7D' })).toMatchObject({ parse: { ok: false } });
  });

  it('reads a slash_commands envelope as the command route reads its form fields', () => {
    const fields = { command: '/deploybot', text: 'status shop', user_id: 'U0OWNER01', channel_id: 'C0123456789', team_id: 'T1' };
    expect(routeEnvelope({ type: 'slash_commands', payload: fields })).toEqual({
      kind: 'slash-command',
      read: {
        ok: true,
        request: { command: '/deploybot', text: 'status shop', userId: 'U0OWNER01', channelId: 'C0123456789', teamId: 'T1' },
      },
    });
    expect(routeEnvelope({ type: 'slash_commands', payload: { ...fields, user_id: 'nobody' } })).toMatchObject({ read: { ok: false } });
    expect(routeEnvelope({ type: 'slash_commands', payload: null })).toMatchObject({ kind: 'slash-command', read: { ok: false } });
  });

  it('names the event of an events_api envelope, and ignores what it cannot route', () => {
    expect(routeEnvelope({ type: 'events_api', payload: { type: 'event_callback', event: { type: 'app_home_opened' } } })).toEqual({
      kind: 'event',
      eventType: 'app_home_opened',
    });
    expect(routeEnvelope({ type: 'events_api', payload: {} })).toMatchObject({ kind: 'ignored' });
    expect(routeEnvelope({ type: 'something_new', payload: {} })).toEqual({
      kind: 'ignored',
      reason: 'envelope type "something_new" (expected interactive, slash_commands or events_api)',
    });
  });
});
