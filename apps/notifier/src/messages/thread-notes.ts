import { approvers, type BuildSnapshot } from '../builds/build-snapshot';
import type { OutgoingMessage } from './block-kit';
import { approvalsCount } from './build-lines';
import { clip, escape, link, mention, mentionAll } from './mrkdwn';

/*
 * Short replies posted in threads: under each owner's DM (QA verdicts, "ready") and under the
 * channel status message (production). Text only — a thread reply needs no buttons.
 */

const note = (mrkdwnText: string): OutgoingMessage => ({ text: mrkdwnText });

/** Under every owner DM when a QA member gives a verdict. */
export function verdictNote(build: BuildSnapshot, qa: string, verdict: 'approved' | 'rejected'): OutgoingMessage {
  if (verdict === 'rejected') return note(`:x: ${mention(qa)} rejected this build`);
  const count = approvalsCount(approvers(build).length, build.facts.approvalsRequired);
  return note(`:white_check_mark: ${mention(qa)} approved this build (${count})`);
}

/** Under every owner DM once the project's approval rule is met. */
export const readyNote = (build: BuildSnapshot): OutgoingMessage => {
  const by = approvers(build);
  const who = by.length ? `approved by ${mentionAll(by)}` : 'no QA approval needed';
  return note(`:rocket: This build is ready for production (${who}). Use *Deploy to production* above.`);
};

export const productionRequestedNote = (by: string): OutgoingMessage =>
  note(`:hourglass_flowing_sand: deploying to production… (requested by ${mention(by)})`);

export const productionDeployedNote = (build: BuildSnapshot, by: string, url: string): OutgoingMessage =>
  note(`:rocket: ${escape(build.facts.projectName)} deployed to production by ${mention(by)}: ${link(url)}`);

export const productionFailedNote = (reason: string, attempt: number): OutgoingMessage =>
  note(`:x: production deployment failed (attempt ${attempt}): ${escape(clip(reason))}. The owners can try again from their DM.`);

/** The ephemeral answer to a click that was refused; `reason` comes from approvals as is. */
export const denialNote = (reason: string): OutgoingMessage => note(`:no_entry_sign: ${escape(reason)}`);

