import { describe, expect, it } from '@jest/globals';
import { isSslCheck, readSlashRequest } from './slash-request';

/** The fields Slack documents for a slash command request. */
const slackFields = {
  token: 'gIkuvaNzQIHg97ATvDxqgjtO',
  team_id: 'T0001',
  team_domain: 'example',
  enterprise_id: 'E0001',
  enterprise_name: 'Globular Construct Inc',
  channel_id: 'C2147483705',
  channel_name: 'test',
  user_id: 'U2147483697',
  user_name: 'Steve',
  command: '/deploybot',
  text: 'status shop',
  response_url: 'https://hooks.slack.com/commands/1234/5678',
  trigger_id: '13345224609.738474920.8088930838d88f008e0',
  api_app_id: 'A123456',
};

describe("reading Slack's slash command request", () => {
  it('reads what the command needs', () => {
    expect(readSlashRequest(slackFields)).toEqual({
      ok: true,
      request: {
        command: '/deploybot',
        text: 'status shop',
        userId: 'U2147483697',
        userName: 'Steve',
        channelId: 'C2147483705',
        teamId: 'T0001',
        responseUrl: 'https://hooks.slack.com/commands/1234/5678',
        triggerId: '13345224609.738474920.8088930838d88f008e0',
      },
    });
  });

  it('reads a command without text as empty text', () => {
    const { text: _text, ...fields } = slackFields;
    expect(readSlashRequest(fields)).toMatchObject({ ok: true, request: { text: '' } });
  });

  it('refuses a request Slack would not send: no command, or no Slack user', () => {
    expect(readSlashRequest({ ...slackFields, command: undefined })).toEqual({
      ok: false,
      message: 'command: expected the slash command, e.g. /deploybot',
    });
    expect(readSlashRequest({ ...slackFields, user_id: 'bob' })).toEqual({ ok: false, message: 'user_id: "bob" is not a Slack user id' });
    expect(readSlashRequest({ ...slackFields, user_id: ['U1', 'U2'] })).toMatchObject({ ok: false });
  });

  it("recognises Slack's ssl_check", () => {
    expect(isSslCheck({ ssl_check: '1', token: 'x' })).toBe(true);
    expect(isSslCheck(slackFields)).toBe(false);
  });
});
