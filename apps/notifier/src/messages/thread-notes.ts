import type { FailureCause } from '@app/contracts';
import { approvers, type BuildSnapshot } from '../builds/build-snapshot';
import type { OutgoingMessage } from './block-kit';
import { approvalsCount, expiredLine, previewUrlOf } from './build-lines';
import { outcomeOf, reasonText, teardownFailedHeadline } from './failure-lines';
import { shippedImage } from './image-lines';
import { escape, escapeWithMentions, link, mention, mentionAll, quoted } from './mrkdwn';

/*
 * Short replies posted in threads: under each owner's DM (QA verdicts, "ready", failures the
 * owners can retry) and under the channel status message (production). Text only — a thread
 * reply needs no buttons; a retry is a click on the owner DM above it.
 */

const note = (mrkdwnText: string): OutgoingMessage => ({ text: mrkdwnText });

/** Under every owner DM when a QA member gives a verdict. */
export function verdictNote(build: BuildSnapshot, qa: string, verdict: 'approved' | 'rejected'): OutgoingMessage {
  if (verdict === 'rejected') {
    const reason = build.progress.verdicts[qa]?.reason;
    return note(`:x: ${mention(qa)} rejected this build${reason ? `: ${quoted(reason)}` : ''}`);
  }
  const count = approvalsCount(approvers(build).length, build.facts.approvalsRequired);
  return note(`:white_check_mark: ${mention(qa)} approved this build (${count})`);
}

/** Under every owner DM once the project's approval rule is met; after the verdict that met it, when one did. */
export const readyNote = (build: BuildSnapshot, verdict?: OutgoingMessage): OutgoingMessage => {
  const by = approvers(build);
  const who = by.length ? `approved by ${mentionAll(by)}` : 'no QA approval needed';
  const ready = `:rocket: This build is ready for production (${who}). Use *Deploy to production* above.`;
  return note(verdict ? `${verdict.text}\n${ready}` : ready);
};

export const productionRequestedNote = (by: string): OutgoingMessage =>
  note(`:hourglass_flowing_sand: deploying to production… (requested by ${mention(by)})`);

/** The announcement, broadcast to the channel: who shipped it, where, and exactly what runs there. */
export function productionDeployedNote(build: BuildSnapshot, by: string, url: string): OutgoingMessage {
  const shipped = shippedImage(build);
  return note(
    `:rocket: ${escape(build.facts.projectName)} deployed to production by ${mention(by)}: ${link(url)}${shipped ? `\nShipped ${shipped}` : ''}`,
  );
}

/** In the channel thread (broadcast): what happened to the attempt; the owners retry from their DM. */
export const productionFailedNote = (reason: string, attempt: number, cause?: FailureCause): OutgoingMessage =>
  note(
    `:x: production deployment ${outcomeOf(cause)} (attempt ${attempt}): ${reasonText(reason)}. The owners can try again from their DM.`,
  );

/** Under every owner DM, whose buttons are back: the owner retries there. */
export const ownerProductionFailedNote = (reason: string, attempt: number, cause?: FailureCause): OutgoingMessage =>
  note(
    `:x: Production deployment ${outcomeOf(cause)} (attempt ${attempt}): ${reasonText(reason)}. Click *Deploy to production* above to try again.`,
  );

/**
 * The preview could not be removed. Under every owner DM, which shows **Close** again for a
 * retry; where there is no owner DM (the preview never came up) in the channel thread, as news only.
 */
export const teardownFailedNote = (reason: string, cause: FailureCause, retry: 'owner-dm' | 'none'): OutgoingMessage =>
  note(`:warning: ${teardownFailedHeadline(reason, cause)}.${retry === 'owner-dm' ? ' Click *Close* above to try again.' : ''}`);

/**
 * The ephemeral answer to a click that was refused. `reason` is approvals' plain text: escaped,
 * with the people it lists (written `@U…`) turned into mentions.
 */
export const denialNote = (reason: string, people: readonly string[] = []): OutgoingMessage =>
  note(`:no_entry_sign: ${escapeWithMentions(reason, people)}`);

/** Under a QA member's DM when they have not answered in time (`approvals.remindAfter`). */
export const qaReminderNote = (build: BuildSnapshot): OutgoingMessage =>
  note(
    `:alarm_clock: Reminder: this build is still waiting for your review: ${link(previewUrlOf(build))}. Use *Approve* or *Reject* above.`,
  );

/** Under every owner DM, after the QA members were reminded and some still have not answered. */
export const ownerApprovalReminderNote = (waitingFor: readonly string[]): OutgoingMessage =>
  note(
    `:alarm_clock: This build is still waiting for QA: ${mentionAll(waitingFor)} ${waitingFor.length === 1 ? 'has' : 'have'} not answered.`,
  );

/** Under every owner DM when the build expired: what happened, and what they can do. */
export const expiredNote = (build: BuildSnapshot, why: 'preview-ttl' | 'approval-ttl' | 'branch-deleted'): OutgoingMessage =>
  note(`${expiredLine(why, build.facts.type)}. The preview is being torn down.`);
