import { approvers, type BuildSnapshot } from '../builds/build-snapshot';
import { context, section, type KnownBlock, type OutgoingMessage } from './block-kit';
import { approvalsCount, buildTitle, endingLine, plainText, previewExpiryLine, previewUrlOf, productionLine } from './build-lines';
import { previewFailedLine } from './failure-lines';
import { imageWithDigest } from './image-lines';
import { code, escape, link, mentionAll } from './mrkdwn';

/**
 * The one status message per build in the project channel: "deploying …", edited in place to
 * "deployed: <link>" or "failed: <reason>" (or "timed out: …", with how to try again), then to
 * how the build ended.
 */
export function channelStatusBlocks(build: BuildSnapshot): KnownBlock[] {
  const details = [
    `Image ${imageWithDigest(build)}`,
    qaLine(build),
    productionLine(build, 'An owner can try again.'),
    previewExpiryLine(build),
  ].filter(isText);
  return [section(`${buildTitle(build)}\n${statusLine(build)}`), context(...details)];
}

export function channelStatusMessage(build: BuildSnapshot): OutgoingMessage {
  return {
    text: plainText(`${escape(build.facts.projectName)} ${code(build.facts.target)}: ${statusLine(build)}`),
    blocks: channelStatusBlocks(build),
  };
}

function statusLine(build: BuildSnapshot): string {
  const ending = endingLine(build);
  if (ending) return ending;
  const preview = build.progress.preview;
  switch (preview.status) {
    case 'deploying':
      return `:hourglass_flowing_sand: deploying ${code(build.facts.image)} to ${code(build.facts.target)}…`;
    case 'deployed':
      return `:white_check_mark: deployed: ${link(previewUrlOf(build))}`;
    case 'failed':
      return previewFailedLine(preview.reason, preview.cause);
    default: {
      const _exhaustive: never = preview;
      return _exhaustive;
    }
  }
}

/** QA progress, once there is a preview to review. */
function qaLine(build: BuildSnapshot): string | undefined {
  if (build.progress.preview.status !== 'deployed') return undefined;
  const approved = approvers(build);
  if (build.progress.approved) return approved.length ? `QA: approved by ${mentionAll(approved)}` : 'QA: no approvals needed';
  const count = approvalsCount(approved.length, build.facts.approvalsRequired);
  return approved.length ? `QA: ${count} (${mentionAll(approved)})` : `QA: ${count}`;
}

const isText = (line: string | undefined): line is string => typeof line === 'string' && line.length > 0;
