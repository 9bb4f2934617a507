import { SlackActions } from '@app/contracts';
import { approvers, isFinal, type BuildSnapshot } from '../builds/build-snapshot';
import { context, fields, plain, section, type Button, type KnownBlock, type OutgoingMessage } from './block-kit';
import { approvalsCount, buildTitle, endingLine, plainText, previewUrlOf, productionLine } from './build-lines';
import { code, escape, link, mentionAll } from './mrkdwn';

/**
 * The DM every owner gets once the preview is up: the link, what runs there, who does QA,
 * and **Deploy to production** / **Close**. The buttons go away for good once the build is
 * shipped, closed or superseded, and while a production deployment is running (a failed
 * one brings them back, so the owner can try again).
 */
export function ownerRequestBlocks(build: BuildSnapshot): KnownBlock[] {
  const { facts } = build;
  const blocks: KnownBlock[] = [
    section(`${buildTitle(build)} is deployed for review: ${link(previewUrlOf(build))}`),
    fields(`*Image*\n${code(facts.image)}`, `*Target*\n${code(facts.target)}`, `*QA*\n${mentionAll(facts.qa)}`, `*Approvals*\n${approvalState(build)}`),
  ];
  const status = endingLine(build) ?? productionLine(build) ?? (build.progress.approved ? ':white_check_mark: Ready for production' : undefined);
  if (status) blocks.push(context(status));
  if (canAct(build)) blocks.push({ type: 'actions', block_id: 'owner-actions', elements: ownerButtons(build) });
  return blocks;
}

export function ownerRequestMessage(build: BuildSnapshot): OutgoingMessage {
  const ending = endingLine(build);
  const { projectName, target } = build.facts;
  const text = ending ?? `${escape(projectName)} ${code(target)} is ready for review: ${link(previewUrlOf(build))}`;
  return { text: plainText(ending ? `${escape(projectName)} ${code(target)}: ${text}` : text), blocks: ownerRequestBlocks(build) };
}

const canAct = (build: BuildSnapshot): boolean => !isFinal(build.progress) && build.progress.production?.status !== 'deploying';

function approvalState(build: BuildSnapshot): string {
  const count = approvalsCount(approvers(build).length, build.facts.approvalsRequired);
  return build.progress.approved ? `${count} — ready` : count;
}

function ownerButtons(build: BuildSnapshot): Button[] {
  const { buildId, image, productionUrl } = build.facts;
  return [
    {
      type: 'button',
      action_id: SlackActions.Promote,
      text: plain('Deploy to production'),
      value: buildId,
      style: 'primary',
      confirm: {
        title: plain('Deploy to production?'),
        text: { type: 'mrkdwn', text: `${code(image)} will be deployed to ${link(productionUrl)}.` },
        confirm: plain('Deploy'),
        deny: plain('Cancel'),
        style: 'primary',
      },
    },
    {
      type: 'button',
      action_id: SlackActions.Close,
      text: plain('Close'),
      value: buildId,
      style: 'danger',
      confirm: {
        title: plain('Close this build?'),
        text: { type: 'mrkdwn', text: `The preview at ${link(previewUrlOf(build))} will be torn down.` },
        confirm: plain('Close'),
        deny: plain('Keep it'),
        style: 'danger',
      },
    },
  ];
}
