import { describe, expect, it } from '@jest/globals';
import { deadLetterFilter, StoredMessage, subjectMatches, toDeadLetter } from './dead-letter';

const stored = (
  subject: string,
  body: string,
  headers: Record<string, string> = {},
): StoredMessage & { header: { keys(): string[]; get(k: string): string } } => ({
  seq: 7,
  subject,
  time: new Date('2026-12-01T10:00:00Z'),
  data: new TextEncoder().encode(body),
  header: { keys: () => Object.keys(headers), get: (k: string) => headers[k] ?? '' },
});

describe('reading a dead letter', () => {
  it('takes the service and original subject from the DLQ subject, the build from the envelope, the rest from the headers', () => {
    const letter = toDeadLetter(
      'deploybot',
      stored('deploybot.dlq.notifier.build.qa-approved', JSON.stringify({ id: 'ev-1', type: 'QaApproved', correlationId: 'b-42' }), {
        'Deploybot-Dlq-Reason': 'channel_not_found (delivery 1 of 5)',
        'Deploybot-Deliveries': '1',
        'Deploybot-Service': 'notifier',
        'Nats-Msg-Id': 'notifier:DEPLOYBOT_EVENTS:12',
      }),
    );
    expect(letter).toMatchObject({
      seq: 7,
      service: 'notifier',
      subject: 'build.qa-approved',
      buildId: 'b-42',
      eventId: 'ev-1',
      eventType: 'QaApproved',
      reason: 'channel_not_found (delivery 1 of 5)',
      deliveries: 1,
      messageId: 'notifier:DEPLOYBOT_EVENTS:12',
    });
  });

  it('keeps a payload that is not JSON as text, with no build', () => {
    const letter = toDeadLetter(
      'deploybot',
      stored('deploybot.dlq.approvals.input.qa-verdict', 'not json {', { 'Deploybot-Dlq-Reason': 'payload is not JSON' }),
    );
    expect(letter).toMatchObject({ payload: 'not json {', buildId: undefined, deliveries: undefined, reason: 'payload is not JSON' });
  });

  it('is not a dead letter of another prefix', () => {
    expect(toDeadLetter('deploybot', stored('staging.dlq.notifier.build.closed', '{}'))).toBeUndefined();
  });
});

describe('selecting dead letters', () => {
  it('filters by service, by original subject, or both', () => {
    expect(deadLetterFilter('deploybot')).toBe('deploybot.dlq.*.>');
    expect(deadLetterFilter('deploybot', { service: 'deployer' })).toBe('deploybot.dlq.deployer.>');
    expect(deadLetterFilter('deploybot', { subject: 'build.*' })).toBe('deploybot.dlq.*.build.*');
    expect(deadLetterFilter('deploybot', { service: 'notifier', subject: 'build.closed' })).toBe('deploybot.dlq.notifier.build.closed');
  });

  it('refuses a service or subject that is not made of subject tokens', () => {
    expect(() => deadLetterFilter('deploybot', { service: 'a.b' })).toThrow('service "a.b" is not a service name');
    expect(() => deadLetterFilter('deploybot', { subject: 'build. closed' })).toThrow(
      'subject "build. closed" is not a subject relative to the prefix',
    );
    expect(() => deadLetterFilter('deploybot', { subject: 'build.>.x' })).toThrow('is not a subject');
  });

  it('matches subjects the way NATS does', () => {
    expect(subjectMatches('p.dlq.deployer.>', 'p.dlq.deployer.build.closed')).toBe(true);
    expect(subjectMatches('p.dlq.deployer.>', 'p.dlq.deployer')).toBe(false);
    expect(subjectMatches('p.dlq.*.build.closed', 'p.dlq.notifier.build.closed')).toBe(true);
    expect(subjectMatches('p.dlq.*.build.closed', 'p.dlq.notifier.build.closed.x')).toBe(false);
    expect(subjectMatches('p.build.closed', 'p.build.registered')).toBe(false);
  });
});
