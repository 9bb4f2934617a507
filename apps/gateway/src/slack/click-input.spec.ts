import { describe, expect, it } from '@jest/globals';
import { MessageSchemas, SlackActions, Subjects } from '@app/contracts';
import { clickId, clickInput } from './click-input';
import { SlackClick } from './interaction-parser';

const click: SlackClick = {
  actionId: SlackActions.Approve,
  buildId: 'b-123',
  user: { id: 'U0QA00001', name: 'qa.person' },
  clickedAt: '1600857126.868122',
  origin: { channel: 'D01ACC2E8S3', messageTs: '1600857119.015400', responseUrl: 'https://hooks.slack.com/actions/x', triggerId: '1.2.3' },
};
const at = new Date('2026-01-02T03:04:05.000Z');

describe('clicks become inputs for approvals', () => {
  it.each([
    [SlackActions.Approve, Subjects.QaVerdict, 'QaVerdict', { verdict: 'approve' }],
    [SlackActions.Reject, Subjects.QaVerdict, 'QaVerdict', { verdict: 'reject' }],
    [SlackActions.Promote, Subjects.PromoteRequested, 'PromoteRequested', {}],
    [SlackActions.Close, Subjects.CloseRequested, 'CloseRequested', {}],
    [SlackActions.Keep, Subjects.KeepRequested, 'KeepRequested', {}],
    [SlackActions.RollBack, Subjects.RollbackRequested, 'RollbackRequested', {}],
  ])('%s → %s', (actionId, subject, type, extra) => {
    const input = clickInput({ ...click, actionId }, at);
    expect(input.subject).toBe(subject);
    expect(input.envelope).toEqual({
      id: clickId({ ...click, actionId }),
      type,
      streamId: 'build-b-123',
      version: 0,
      occurredAt: '2026-01-02T03:04:05.000Z',
      correlationId: 'b-123',
      causationId: clickId({ ...click, actionId }),
      actor: { kind: 'slack-user', id: 'U0QA00001', name: 'qa.person' },
      data: { buildId: 'b-123', user: 'U0QA00001', origin: click.origin, ...extra },
    });
    expect(MessageSchemas[subject].safeParse(input.envelope).success).toBe(true);
  });

  it('gives a redelivered click the same id, and any other click another one', () => {
    expect(clickId({ ...click })).toBe(clickId(click));
    const others = [
      { ...click, user: { id: 'U0QA00002' } },
      { ...click, actionId: SlackActions.Reject },
      { ...click, clickedAt: '1600857127.000000' },
      { ...click, buildId: 'b-124' },
    ];
    expect(new Set([clickId(click), ...others.map(clickId)]).size).toBe(5);
  });

  it('leaves the actor name out when Slack sent none', () => {
    expect(clickInput({ ...click, user: { id: 'U0QA00001' } }, at).envelope.actor).toEqual({ kind: 'slack-user', id: 'U0QA00001' });
  });
});
