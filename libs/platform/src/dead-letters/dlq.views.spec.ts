import { describe, expect, it } from '@jest/globals';
import type { DeadLetter } from './dead-letter';
import type { StoredAuditRecord } from './dead-letter-audit';
import { actionView, formatAge, historyView, listView, showView, table } from './dlq.views';

const now = new Date('2026-12-06T12:00:00Z');
const letter = (seq: number, service: string, minutesAgo: number, reason = 'boom'): DeadLetter => ({
  seq,
  service,
  subject: 'build.closed',
  dlqSubject: `deploybot.dlq.${service}.build.closed`,
  reason,
  deliveries: 5,
  deadLetteredAt: new Date(now.getTime() - minutesAgo * 60_000),
  buildId: 'b-1',
  eventId: 'ev-1',
  eventType: 'BuildClosed',
  headers: { 'Deploybot-Dlq-Reason': reason },
  payload: { id: 'ev-1', data: { buildId: 'b-1' } },
  data: new Uint8Array(),
});

const deadLetterRecord: StoredAuditRecord['deadLetter'] = {
  stream: 'DEPLOYBOT_DLQ',
  seq: 4,
  service: 'notifier',
  subject: 'build.closed',
  reason: 'boom',
  deadLetteredAt: now.toISOString(),
  buildId: 'b-1',
};

describe('dlq output', () => {
  it('says ages at a glance', () => {
    expect([formatAge(4_000), formatAge(12 * 60_000), formatAge(185 * 60_000), formatAge(52 * 3_600_000)]).toEqual([
      '4s',
      '12m',
      '3h05m',
      '2d04h',
    ]);
  });

  it('pads columns to the widest cell', () => {
    expect(
      table(
        ['A', 'B'],
        [
          ['long', 'x'],
          ['s', 'y'],
        ],
      ),
    ).toEqual(['A     B', 'long  x', 's     y']);
  });

  it('lists a summary per service with its oldest, then one row per dead letter with the reason cut short', () => {
    const lines = listView([letter(3, 'deployer', 90, 'x'.repeat(100)), letter(5, 'notifier', 2), letter(6, 'deployer', 1)], now, 20);
    expect(lines.slice(0, 2)).toEqual(['deployer: 2 dead letters, oldest 1h30m', 'notifier: 1 dead letter, oldest 2m']);
    expect(lines[3]).toMatch(/^SEQ\s+SERVICE\s+SUBJECT\s+BUILD\s+AGE\s+DELIVERIES\s+REASON$/);
    expect(lines[4]).toMatch(/^3\s+deployer\s+build\.closed\s+b-1\s+1h30m\s+5\s+x{19}…$/);
    expect(listView([], now)).toEqual(['no dead letters']);
  });

  it('shows the headers and the payload as pretty JSON', () => {
    const lines = showView(letter(3, 'deployer', 90), 'DEPLOYBOT_DLQ', now);
    expect(lines[0]).toBe('dead letter #3 in DEPLOYBOT_DLQ');
    expect(lines).toContain('  Deploybot-Dlq-Reason: boom');
    expect(lines.slice(lines.indexOf('payload') + 1).join('\n')).toBe(JSON.stringify({ id: 'ev-1', data: { buildId: 'b-1' } }, null, 2));
  });

  it('says when a replay reaches other consumers of the subject too', () => {
    const record = {
      action: 'replayed' as const,
      at: now.toISOString(),
      by: 'alice',
      why: 'fixed',
      deadLetter: deadLetterRecord,
      replay: { stream: 'DEPLOYBOT_EVENTS', seq: 99, duplicate: false, messageId: 'm' },
    };
    const lines = actionView({ seq: 4, outcome: 'replayed', record, alsoDeliveredTo: ['deployer-events'] });
    expect(lines[0]).toBe('replayed #4 (notifier build.closed, build b-1) as DEPLOYBOT_EVENTS #99; removed from the DLQ');
    expect(lines[1]).toContain('also delivered to deployer-events (consuming build.closed too)');
  });

  it('says who acted before when there is nothing left to do', () => {
    const record = {
      action: 'dropped' as const,
      at: now.toISOString(),
      by: 'bob',
      why: 'preview deleted by hand',
      deadLetter: deadLetterRecord,
      auditSeq: 2,
    };
    expect(actionView({ seq: 4, outcome: 'already', record, removedLeftover: false })).toEqual([
      `#4: already dropped by bob at ${now.toISOString()} (preview deleted by hand); nothing to do`,
    ]);
  });

  it('lists the history with who, when and why', () => {
    const lines = historyView([
      {
        action: 'dropped',
        at: '2026-12-06T12:00:00.000Z',
        by: 'bob',
        why: 'gone',
        forced: true,
        deadLetter: deadLetterRecord,
        auditSeq: 1,
      },
    ]);
    expect(lines[1]).toMatch(/^2026-12-06T12:00:00.000Z\s+dropped \(forced\)\s+4\s+notifier\s+build\.closed\s+b-1\s+bob\s+gone$/);
    expect(historyView([])).toEqual(['no replays or drops recorded']);
  });
});
