import { SlackActions } from '@app/contracts';
import type { FailureCause } from '@app/contracts';
import type { BuildSnapshot, PreviousRelease } from '../builds/build-snapshot';
import { plain, section, type Button, type OutgoingMessage } from './block-kit';
import { outcomeOf, reasonText } from './failure-lines';
import { clip, code, escape, link, mention } from './mrkdwn';
import { fitConfirm } from './owner-request.blocks';
import { replacedLine } from './build-lines';
import { productionDeployedNote } from './thread-notes';

/*
 * The production reply in the channel thread (broadcast), edited in place from "deploying…" to
 * how the attempt ended. Once a build is in production it is the release's announcement, and it
 * carries **Roll back** when there is a previous release to return to (owners only: approvals decides).
 */

/** "deploying…" for a rollback: what production goes back to, and who asked. */
export const rollbackRequestedNote = (by: string, image: string | undefined): OutgoingMessage => ({
  text: `:rewind: rolling production back${image ? ` to ${code(image)}` : ''}… (requested by ${mention(by)})`,
});

/** A rollback that failed: production runs what it ran before, as far as deploybot knows. */
export const rollbackFailedNote = (reason: string, attempt: number, cause?: FailureCause): OutgoingMessage => ({
  text: `:x: rollback ${outcomeOf(cause)} (attempt ${attempt}): ${reasonText(reason)}. Production was not rolled back; an owner can try again with *Roll back* on the announcement of the release that runs.`,
});

/**
 * The announcement of a release: who shipped (or rolled back to) what, its release number, and
 * **Roll back** to the release before it — until a later release replaces it: then it says so,
 * and the button is gone (production no longer runs this release).
 */
export function productionAnnouncement(build: BuildSnapshot, by: string, url: string): OutgoingMessage {
  const production = build.progress.production;
  const deployed = production?.status === 'deployed' ? production : undefined;
  const release = deployed?.release ? ` (release ${deployed.release})` : '';
  const shipped = deployed?.rollbackOf
    ? `:rewind: ${escape(build.facts.projectName)} rolled back to ${code(deployed.image ?? build.facts.image)} by ${mention(by)}${release}: ${link(url)}\nIt replaces build ${code(deployed.rollbackOf)}.`
    : `${productionDeployedNote(build, by, url).text}${release ? `\nProduction release ${deployed?.release}` : ''}`;
  const text = deployed?.replacedBy ? `${shipped}\n${replacedLine(deployed.replacedBy, deployed.release)}` : shipped;
  if (!deployed?.previous || deployed.replacedBy) return { text };
  return {
    text,
    blocks: [section(text), { type: 'actions', elements: [rollbackButton(build.facts.buildId, deployed.previous)] }],
  };
}

/** Owners only (approvals refuses anyone else); the dialog names exactly what production returns to. */
function rollbackButton(buildId: string, previous: PreviousRelease): Button {
  return {
    type: 'button',
    action_id: SlackActions.RollBack,
    text: plain('Roll back'),
    value: buildId,
    style: 'danger',
    confirm: {
      title: plain('Roll back production?'),
      text: {
        type: 'mrkdwn',
        text: fitConfirm(
          `Production goes back to release ${previous.release}: ${code(previous.image)} (build ${code(previous.buildId)}).`,
          `Production goes back to release ${previous.release}: ${code(clip(previous.image, 200))}.`,
        ),
      },
      confirm: plain('Roll back'),
      deny: plain('Cancel'),
      style: 'danger',
    },
  };
}
