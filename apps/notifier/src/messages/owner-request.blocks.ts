import { SlackActions } from '@app/contracts';
import { approvers, isFinal, type BuildSnapshot } from '../builds/build-snapshot';
import { context, fields, plain, section, type Button, type KnownBlock, type OutgoingMessage } from './block-kit';
import { approvalsCount, buildTitle, endingLine, plainText, previewExpiryLine, previewUrlOf, productionLine } from './build-lines';
import { teardownLine } from './failure-lines';
import { imageWithDigest, previewDigestOf, shippedImage, shortDigest } from './image-lines';
import { clip, code, escape, link, mentionAll } from './mrkdwn';

/**
 * The DM every owner gets once the preview is up: the link, what runs there, who does QA,
 * and **Deploy to production** / **Close**. The buttons go away for good once the build is
 * shipped, closed or superseded, and while a production deployment is running (a failed
 * one brings them back, so the owner can try again). A preview that could not be removed
 * brings **Close** back alone: clicking it asks for the teardown again.
 */
export function ownerRequestBlocks(build: BuildSnapshot): KnownBlock[] {
  const { facts } = build;
  const blocks: KnownBlock[] = [
    section(`${buildTitle(build)} is deployed for review: ${link(previewUrlOf(build))}`),
    fields(
      `*Image*\n${imageWithDigest(build)}`,
      `*Target*\n${code(facts.target)}`,
      `*QA*\n${mentionAll(facts.qa)}`,
      `*Approvals*\n${approvalState(build)}`,
    ),
  ];
  const status = [statusLine(build), previewExpiryLine(build), shippedLine(build), teardownLine(build)].filter(
    (line): line is string => !!line,
  );
  if (status.length) blocks.push(context(status.join('\n')));
  const buttons = ownerButtons(build);
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'owner-actions', elements: buttons });
  return blocks;
}

/** The notification text says where the build stands: ended (and its preview), production under way or failed, or ready for review. */
export function ownerRequestMessage(build: BuildSnapshot): OutgoingMessage {
  const ending = endingLine(build);
  const production = ownerProductionLine(build);
  const { projectName, target } = build.facts;
  const name = `${escape(projectName)} ${code(target)}`;
  const text = ending
    ? `${name}: ${ending}${previewNote(build)}`
    : production
      ? `${name}: ${production}`
      : `${name} is ready for review: ${link(previewUrlOf(build))}`;
  return { text: plainText(text), blocks: ownerRequestBlocks(build) };
}

const ownerProductionLine = (build: BuildSnapshot): string | undefined =>
  productionLine(build, 'Click *Deploy to production* to try again.');

const statusLine = (build: BuildSnapshot): string | undefined =>
  endingLine(build) ?? ownerProductionLine(build) ?? (build.progress.approved ? ':white_check_mark: Ready for production' : undefined);

const shippedLine = (build: BuildSnapshot): string | undefined => {
  const shipped = shippedImage(build);
  return shipped && `:package: Shipped ${shipped}`;
};

/** For the notification text of an ended build: what became of its preview. */
function previewNote(build: BuildSnapshot): string {
  switch (build.progress.teardown?.status) {
    case 'requested':
      return ' (removing the preview…)';
    case 'removed':
      return ' (preview removed)';
    case 'failed':
      return ' (the preview could not be removed)';
    case undefined:
      return '';
    default: {
      const _exhaustive: never = build.progress.teardown;
      return _exhaustive;
    }
  }
}

function approvalState(build: BuildSnapshot): string {
  const count = approvalsCount(approvers(build).length, build.facts.approvalsRequired);
  return build.progress.approved ? `${count} — ready` : count;
}

function ownerButtons(build: BuildSnapshot): Button[] {
  if (build.progress.teardown?.status === 'failed') return [closeButton(build, 'retry')];
  if (isFinal(build.progress) || build.progress.production?.status === 'deploying') return [];
  return [promoteButton(build), ...keepButton(build), closeButton(build, 'close')];
}

/** While the preview may expire (`previews.ttl`), **Keep** extends it from here too, not only from the reminder. */
function keepButton(build: BuildSnapshot): Button[] {
  if (!build.progress.previewExpiry || build.progress.preview.status !== 'deployed') return [];
  return [{ type: 'button', action_id: SlackActions.Keep, text: plain('Keep'), value: build.facts.buildId }];
}

function promoteButton(build: BuildSnapshot): Button {
  const { buildId, image, productionUrl } = build.facts;
  const digest = previewDigestOf(build);
  const what = digest ? `${code(image)} at ${code(shortDigest(digest))} (what the preview runs)` : code(image);
  return {
    type: 'button',
    action_id: SlackActions.Promote,
    text: plain('Deploy to production'),
    value: buildId,
    style: 'primary',
    confirm: {
      title: plain('Deploy to production?'),
      text: {
        type: 'mrkdwn',
        text: fitConfirm(
          `${what} will be deployed to ${link(productionUrl)}.`,
          `${what} will be deployed to production.`,
          `${code(clip(image, 120))}${digest ? ` at ${code(shortDigest(digest))}` : ''} will be deployed to production.`,
        ),
      },
      confirm: plain('Deploy'),
      deny: plain('Cancel'),
      style: 'primary',
    },
  };
}

/** `close` ends the build and removes its preview; `retry` asks again for a removal that failed. */
function closeButton(build: BuildSnapshot, purpose: 'close' | 'retry'): Button {
  const preview = link(previewUrlOf(build));
  return {
    type: 'button',
    action_id: SlackActions.Close,
    text: plain('Close'),
    value: build.facts.buildId,
    style: 'danger',
    confirm:
      purpose === 'close'
        ? {
            title: plain('Close this build?'),
            text: { type: 'mrkdwn', text: fitConfirm(`The preview at ${preview} will be torn down.`, 'The preview will be torn down.') },
            confirm: plain('Close'),
            deny: plain('Keep it'),
            style: 'danger',
          }
        : {
            title: plain('Remove the preview?'),
            text: {
              type: 'mrkdwn',
              text: fitConfirm(
                `deploybot will try again to tear down the preview at ${preview}.`,
                'deploybot will try again to tear down the preview.',
              ),
            },
            confirm: plain('Remove'),
            deny: plain('Cancel'),
            style: 'danger',
          },
  };
}

/** Slack refuses a message whose confirm dialog's text is longer than this. */
const CONFIRM_TEXT_MAX = 300;

/** The first of `texts` (most to least detailed) that fits a confirm dialog; the last one clipped. */
export const fitConfirm = (...texts: string[]): string =>
  texts.find((text) => text.length <= CONFIRM_TEXT_MAX) ?? clip(texts[texts.length - 1], CONFIRM_TEXT_MAX);
