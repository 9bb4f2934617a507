import { SlackActions } from '@app/contracts';
import type { BuildView } from '@app/contracts';
import { AnswerBlock, Button, context, escapeMrkdwn, link, mention, mrkdwn, plain, section, SlashAnswer } from './slash-answer';
import { targetOf } from './status.blocks';

/** Where the build ships to: the project's production URL (from the projects file). */
export interface ProductionTarget {
  url: string;
}

/** Statuses after which there is nothing left to promote or close: no button, just what became of it. */
const FINISHED: Record<string, (b: BuildView) => string> = {
  'in-production': (b) => `is in production${b.promotedBy ? ` (shipped by ${mention(b.promotedBy)})` : ''}`,
  replaced: (b) =>
    `was in production${b.release ? ` as release ${b.release}` : ''} and was replaced${b.replacedByRelease ? ` by release ${b.replacedByRelease}` : ''}${b.replacedBy ? ` (build \`${escapeMrkdwn(b.replacedBy)}\`)` : ''}`,
  'rolled-back': (b) =>
    `was in production${b.release ? ` as release ${b.release}` : ''} and was rolled back${b.replacedBy ? ` to build \`${escapeMrkdwn(b.replacedBy)}\`` : ''}`,
  expired: (b) => `expired${b.expiredBecause ? ` (${b.expiredBecause})` : ''}`,
  closed: (b) => `was closed${b.closedBy ? ` by ${mention(b.closedBy)}` : ''}`,
  superseded: (b) => `was superseded${b.supersededBy ? ` by build \`${escapeMrkdwn(b.supersededBy)}\`` : ''}`,
  'production-deploying': () => 'is being deployed to production right now',
};

/**
 * `promote` and `close`: the newest build of the target with a button that sends the very click
 * the owner DM's button sends (same action id, the build id as value), behind Slack's confirm
 * dialog — so nothing ships or closes before the person confirms, and approvals decides the click
 * exactly as a click in the DM (owners only, approvals, one production deployment at a time).
 */
export function targetActionAnswer(kind: 'promote' | 'close', build: BuildView, production: ProductionTarget): SlashAnswer {
  const name = `${escapeMrkdwn(build.project)} ${targetOf(build)}`;
  const finished = FINISHED[build.status];
  const approvals = build.verdicts.filter((v) => v.verdict === 'approve').length;
  const facts =
    `*${name}* — build \`${escapeMrkdwn(build.id)}\`, image \`${escapeMrkdwn(build.image)}\`\n` +
    `Status: *${escapeMrkdwn(build.status)}* — ${approvals} of ${build.approvalsRequired} QA approval${build.approvalsRequired === 1 ? '' : 's'} — ${link(build.previewUrl, 'preview')}`;
  if (finished) {
    const text = `The newest build of ${name} ${finished(build)}: nothing to ${kind === 'promote' ? 'deploy' : 'close'}.`;
    return { response_type: 'ephemeral', text, blocks: [section(facts), context(text)] };
  }
  const button = kind === 'promote' ? promoteButton(build, production) : closeButton(build);
  const blocks: AnswerBlock[] = [
    section(facts),
    { type: 'actions', block_id: 'slash-owner-actions', elements: [button] },
    context("Only the project's owners can do this; the result shows in the project channel and in your DMs, a refusal here."),
  ];
  const ask = kind === 'promote' ? 'Deploy to production' : 'Close';
  return { response_type: 'ephemeral', text: `${ask}: ${name}? Click the button to confirm.`, blocks };
}

function promoteButton(build: BuildView, production: ProductionTarget): Button {
  return {
    type: 'button',
    action_id: SlackActions.Promote,
    text: plain('Deploy to production'),
    value: build.id,
    style: 'primary',
    confirm: {
      title: plain('Deploy to production?'),
      text: mrkdwn(
        dialogText(
          `\`${escapeMrkdwn(build.image)}\` (${targetOf(build)}) will be deployed to ${link(production.url)}.`,
          `Build \`${escapeMrkdwn(build.id)}\` will be deployed to ${link(production.url)}.`,
        ),
      ),
      confirm: plain('Deploy'),
      deny: plain('Cancel'),
      style: 'primary',
    },
  };
}

function closeButton(build: BuildView): Button {
  return {
    type: 'button',
    action_id: SlackActions.Close,
    text: plain('Close'),
    value: build.id,
    style: 'danger',
    confirm: {
      title: plain('Close this build?'),
      text: mrkdwn(dialogText(`The preview at ${link(build.previewUrl)} will be torn down.`, 'Its preview will be torn down.')),
      confirm: plain('Close'),
      deny: plain('Keep it'),
      style: 'danger',
    },
  };
}

/** Slack refuses a confirm dialog's text over 300 characters: a long image or branch name falls back to a shorter sentence. */
const CONFIRM_TEXT_MAX = 300;
const dialogText = (full: string, short: string): string => (full.length <= CONFIRM_TEXT_MAX ? full : short.slice(0, CONFIRM_TEXT_MAX));
