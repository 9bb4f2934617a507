import { describe, expect, it } from '@jest/globals';
import { readSlackEvent } from './slack-event';

const callback = (event: Record<string, unknown>) => ({ type: 'event_callback', team_id: 'T0TEST', event });

describe('reading an Events API body', () => {
  it("answers Slack's url_verification with its challenge", () => {
    expect(readSlackEvent({ type: 'url_verification', token: 't', challenge: 'abc123' })).toEqual({
      kind: 'url-verification',
      challenge: 'abc123',
    });
  });

  it('takes a person opening the Home tab', () => {
    expect(readSlackEvent(callback({ type: 'app_home_opened', user: 'U0QA00001', tab: 'home' }))).toEqual({
      kind: 'home-opened',
      user: 'U0QA00001',
    });
  });

  it('ignores the Messages tab, other events, and bodies it cannot read', () => {
    for (const body of [
      callback({ type: 'app_home_opened', user: 'U0QA00001', tab: 'messages' }),
      callback({ type: 'app_mention', user: 'U0QA00001' }),
      callback({ type: 'app_home_opened', user: 'bob', tab: 'home' }),
      { type: 'url_verification' },
      { type: 'app_rate_limited' },
      'text',
      null,
    ]) {
      expect(readSlackEvent(body)).toMatchObject({ kind: 'ignored', reason: expect.any(String) });
    }
  });
});
