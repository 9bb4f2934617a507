import { createHash } from 'node:crypto';
import { QaVerdict, Subjects } from '@app/contracts';
import type { RejectSubmission } from './view-submission';

/**
 * The `QaVerdict` (reject) a submission of the reject modal turns into: the same input as a
 * one-click reject, with the reason. Its id comes from the modal's view id (one per opened modal),
 * the user and the build, so the same submission delivered twice is stored once.
 */
export function rejectionInput(
  submission: RejectSubmission,
  occurredAt: Date,
): { subject: typeof Subjects.QaVerdict; envelope: QaVerdict } {
  const source = [submission.user.id, 'reject-modal', submission.viewId, submission.buildId].join('\n');
  const id = `reject-${createHash('sha256').update(source).digest('hex').slice(0, 40)}`;
  const { buildId, user, reason, channel, messageTs } = submission;
  return {
    subject: Subjects.QaVerdict,
    envelope: {
      id,
      type: 'QaVerdict',
      streamId: `build-${buildId}`,
      version: 0,
      occurredAt: occurredAt.toISOString(),
      correlationId: buildId,
      causationId: id,
      actor: { kind: 'slack-user', id: user.id, ...(user.name ? { name: user.name } : {}) },
      data: {
        buildId,
        verdict: 'reject',
        user: user.id,
        origin: { ...(channel ? { channel } : {}), ...(messageTs ? { messageTs } : {}) },
        ...(reason ? { reason } : {}),
      },
    },
  };
}
