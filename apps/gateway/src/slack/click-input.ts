import { createHash } from 'node:crypto';
import { CloseRequested, KeepRequested, PromoteRequested, QaVerdict, RollbackRequested, SlackActions, Subjects } from '@app/contracts';
import { SlackClick } from './interaction-parser';

/** The input a click turns into, and the subject it is published on. */
export type ClickInput =
  | { subject: typeof Subjects.QaVerdict; envelope: QaVerdict }
  | { subject: typeof Subjects.PromoteRequested; envelope: PromoteRequested }
  | { subject: typeof Subjects.CloseRequested; envelope: CloseRequested }
  | { subject: typeof Subjects.KeepRequested; envelope: KeepRequested }
  | { subject: typeof Subjects.RollbackRequested; envelope: RollbackRequested };

/**
 * The envelope id of a click: the same click delivered twice (Slack retries when we are
 * slow) gets the same id, so JetStream stores it once; another click gets another id.
 */
export function clickId(click: SlackClick): string {
  const source = [click.user.id, click.actionId, click.clickedAt, click.buildId].join('\n');
  return `click-${createHash('sha256').update(source).digest('hex').slice(0, 40)}`;
}

/** Maps a click on one of deploybot's buttons to the input approvals decides on. */
export function clickInput(click: SlackClick, occurredAt: Date): ClickInput {
  const id = clickId(click);
  const base = {
    id,
    streamId: `build-${click.buildId}`,
    version: 0,
    occurredAt: occurredAt.toISOString(),
    correlationId: click.buildId,
    causationId: id,
    actor: { kind: 'slack-user' as const, id: click.user.id, ...(click.user.name ? { name: click.user.name } : {}) },
  };
  const who = { buildId: click.buildId, user: click.user.id, origin: click.origin };
  switch (click.actionId) {
    case SlackActions.Approve:
      return { subject: Subjects.QaVerdict, envelope: { ...base, type: 'QaVerdict', data: { ...who, verdict: 'approve' } } };
    case SlackActions.Reject:
      return { subject: Subjects.QaVerdict, envelope: { ...base, type: 'QaVerdict', data: { ...who, verdict: 'reject' } } };
    case SlackActions.Promote:
      return { subject: Subjects.PromoteRequested, envelope: { ...base, type: 'PromoteRequested', data: who } };
    case SlackActions.Close:
      return { subject: Subjects.CloseRequested, envelope: { ...base, type: 'CloseRequested', data: who } };
    case SlackActions.Keep:
      return { subject: Subjects.KeepRequested, envelope: { ...base, type: 'KeepRequested', data: who } };
    case SlackActions.RollBack:
      return { subject: Subjects.RollbackRequested, envelope: { ...base, type: 'RollbackRequested', data: who } };
    default: {
      const _exhaustive: never = click.actionId;
      return _exhaustive;
    }
  }
}
