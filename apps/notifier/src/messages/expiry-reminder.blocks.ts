import { SlackActions } from '@app/contracts';
import type { BuildSnapshot } from '../builds/build-snapshot';
import { context, plain, section, type KnownBlock, type OutgoingMessage } from './block-kit';
import { endingLine, plainText, previewUrlOf, slackTime } from './build-lines';
import { link, mention } from './mrkdwn';

/**
 * The reminder under every owner DM that the preview is about to expire (`previews.ttl`), with
 * **Keep**. A thread reply the notifier tracks, so it is edited in place: once kept it says until
 * when and by whom (no button); once the build ended it says how.
 */
export function expiryReminderBlocks(build: BuildSnapshot, remindedFor: string): KnownBlock[] {
  const blocks: KnownBlock[] = [section(reminderLine(build, remindedFor))];
  const outcome = outcomeLine(build, remindedFor);
  if (outcome) blocks.push(context(outcome));
  else
    blocks.push({
      type: 'actions',
      block_id: 'expiry-actions',
      elements: [{ type: 'button', action_id: SlackActions.Keep, text: plain('Keep'), value: build.facts.buildId, style: 'primary' }],
    });
  return blocks;
}

export function expiryReminderMessage(build: BuildSnapshot, remindedFor: string): OutgoingMessage {
  const outcome = outcomeLine(build, remindedFor);
  const text = outcome ? `${reminderLine(build, remindedFor)}\n${outcome}` : reminderLine(build, remindedFor);
  return { text: plainText(text), blocks: expiryReminderBlocks(build, remindedFor) };
}

const reminderLine = (build: BuildSnapshot, remindedFor: string): string =>
  `:alarm_clock: The preview ${link(previewUrlOf(build))} expires ${slackTime(remindedFor)}: it will be torn down unless an owner keeps it.`;

/** What became of the reminder: kept (to a later expiry), or the build ended; undefined while it still asks. */
function outcomeLine(build: BuildSnapshot, remindedFor: string): string | undefined {
  const ending = endingLine(build);
  if (ending) return ending;
  const expiry = build.progress.previewExpiry;
  if (expiry?.keptBy && Date.parse(expiry.expiresAt) > Date.parse(remindedFor)) {
    return `:white_check_mark: Kept by ${mention(expiry.keptBy)} until ${slackTime(expiry.expiresAt)}`;
  }
  return undefined;
}
