import type { BuildSnapshot } from '../builds/build-snapshot';
import { clip, code, escape, link, mention } from './mrkdwn';

/*
 * Lines several messages share, so the channel and the DMs say the same thing the same way.
 * Each returns mrkdwn; `plainText` turns one into a notification fallback.
 */

/** `*Shop* · `staging` (branch)` */
export const buildTitle = ({ facts }: BuildSnapshot): string => `*${escape(facts.projectName)}* · ${code(facts.target)} (${facts.type})`;

/** The preview URL as deployed (the deployer's answer wins over the planned one). */
export const previewUrlOf = ({ facts, progress }: BuildSnapshot): string =>
  progress.preview.status === 'deployed' ? progress.preview.url : facts.previewUrl;

/** How the build ended, when nobody can act on it any more; undefined while it is open. */
export function endingLine({ facts, progress }: BuildSnapshot): string | undefined {
  if (progress.production?.status === 'deployed') {
    return `:rocket: Deployed to production by ${mention(progress.production.by)}: ${link(progress.production.url)}`;
  }
  switch (progress.ending?.kind) {
    case 'closed':
      return `:no_entry: Closed by ${mention(progress.ending.by)}`;
    case 'superseded':
      return `:fast_forward: Superseded by a newer build of ${code(facts.target)} (${code(progress.ending.newImage)})`;
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = progress.ending;
      return _exhaustive;
    }
  }
}

/** Where production stands while the build is still open. */
export function productionLine({ progress }: BuildSnapshot): string | undefined {
  const production = progress.production;
  switch (production?.status) {
    case 'deploying':
      return `:hourglass_flowing_sand: Deploying to production… (requested by ${mention(production.by)})`;
    case 'failed':
      return `:x: Production deployment failed: ${escape(clip(production.reason))}`;
    case 'deployed':
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = production;
      return _exhaustive;
    }
  }
}

/** `1 of 2 approvals` */
export const approvalsCount = (approved: number, required: number): string =>
  `${approved} of ${required} approval${required === 1 ? '' : 's'}`;

/** mrkdwn → a plain notification text: emoji codes dropped, mentions and links kept readable by Slack. */
export const plainText = (mrkdwnText: string): string =>
  mrkdwnText
    .replace(/:[a-z_]+: /g, '')
    .replace(/\*/g, '')
    .replace(/`/g, '');
