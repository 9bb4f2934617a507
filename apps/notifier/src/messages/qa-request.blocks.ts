import { SlackActions } from '@app/contracts';
import { isFinal, type BuildSnapshot } from '../builds/build-snapshot';
import { context, fields, plain, section, type KnownBlock, type OutgoingMessage } from './block-kit';
import { buildTitle, endingLine, plainText, previewUrlOf } from './build-lines';
import { imageWithDigest } from './image-lines';
import { code, escape, link, mentionAll, quoted } from './mrkdwn';

/** Who the DM is for: each QA member's DM shows their own verdict. */
export interface QaRequestView {
  build: BuildSnapshot;
  qa: string;
}

/**
 * The DM every QA member gets once the preview is up: the link, the image and the digest the
 * preview runs (what production will run), and **Approve** / **Reject**.
 * After their verdict it shows the verdict, with no buttons; so does a build that ended.
 */
export function qaRequestBlocks({ build, qa }: QaRequestView): KnownBlock[] {
  const { facts } = build;
  const blocks: KnownBlock[] = [
    section(`${buildTitle(build)} is ready for QA: ${link(previewUrlOf(build))}`),
    fields(`*Image*\n${imageWithDigest(build)}`, `*Owners*\n${mentionAll(facts.owners)}`),
  ];
  const status = [verdictLine(build, qa), endingLine(build)].filter((line): line is string => !!line);
  if (status.length) blocks.push(context(...status));
  if (!isFinal(build.progress) && !build.progress.verdicts[qa]) {
    blocks.push({
      type: 'actions',
      block_id: 'qa-actions',
      elements: [
        { type: 'button', action_id: SlackActions.Approve, text: plain('Approve'), value: facts.buildId, style: 'primary' },
        { type: 'button', action_id: SlackActions.Reject, text: plain('Reject'), value: facts.buildId, style: 'danger' },
      ],
    });
  }
  return blocks;
}

export function qaRequestMessage(view: QaRequestView): OutgoingMessage {
  const { projectName, target } = view.build.facts;
  const name = `${escape(projectName)} ${code(target)}`;
  const state = verdictLine(view.build, view.qa) ?? endingLine(view.build);
  const text = state ? `${name}: ${state}` : `Please review ${name}: ${link(previewUrlOf(view.build))}`;
  return { text: plainText(text), blocks: qaRequestBlocks(view) };
}

function verdictLine(build: BuildSnapshot, qa: string): string | undefined {
  switch (build.progress.verdicts[qa]?.verdict) {
    case 'approved':
      return ':white_check_mark: You approved this build';
    case 'rejected': {
      const reason = build.progress.verdicts[qa]?.reason;
      return reason ? `:x: You rejected this build: ${quoted(reason)}` : ':x: You rejected this build';
    }
    case undefined:
      return undefined;
  }
}
