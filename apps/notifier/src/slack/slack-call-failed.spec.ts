import { describe, expect, it } from '@jest/globals';
import { classifyPlatformError } from './slack-call-failed';

describe('Slack error classification', () => {
  it('tells the operator to invite the bot when it is not in the channel, and does not retry', () => {
    const error = classifyPlatformError('chat.postMessage', 'not_in_channel', 'C0123456789');
    expect(error).toMatchObject({ kind: 'target', permanent: true, maybeDelivered: false });
    expect(error.hint).toContain('/invite @deploybot');
    expect(error.hint).toContain('C0123456789');
  });

  it.each(['invalid_auth', 'account_inactive', 'token_revoked'])('treats %s as a setup problem naming SLACK_BOT_TOKEN', (code) => {
    const error = classifyPlatformError('chat.postMessage', code, 'C1');
    expect(error.kind).toBe('setup');
    expect(error.hint).toContain('SLACK_BOT_TOKEN');
  });

  it.each(['internal_error', 'service_unavailable', 'something_new'])('retries %s', (code) => {
    expect(classifyPlatformError('chat.update', code, 'C1').permanent).toBe(false);
  });

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'ratelimited', 'request_timeout', 'team_added_to_org'])(
    'takes %s for Slack being down: the event waits for it instead of being dead-lettered',
    (code) => {
      expect(classifyPlatformError('chat.postMessage', code, 'C1')).toMatchObject({
        kind: 'unavailable',
        unavailable: true,
        permanent: false,
      });
    },
  );

  it('retries an error code it does not know only a few times (transient, not an outage)', () => {
    expect(classifyPlatformError('chat.postMessage', 'something_new', 'C1')).toMatchObject({ kind: 'transient', unavailable: false });
  });

  it('takes a post Slack answered with internal_error or fatal_error as maybe made (Slack: "some aspect may have succeeded")', () => {
    expect(classifyPlatformError('chat.postMessage', 'internal_error', 'C1').maybeDelivered).toBe(true);
    expect(classifyPlatformError('chat.postMessage', 'fatal_error', 'C1').maybeDelivered).toBe(true);
    expect(classifyPlatformError('chat.postMessage', 'service_unavailable', 'C1').maybeDelivered).toBe(false);
  });
});
