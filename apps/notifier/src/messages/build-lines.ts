import type { BuildEnding, BuildSnapshot, Replacement } from '../builds/build-snapshot';
import { productionFailedHeadline } from './failure-lines';
import { previewDigestOf, shortDigest } from './image-lines';
import { code, escape, link, mention } from './mrkdwn';

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
    const { by, url, release, replacedBy } = progress.production;
    if (replacedBy) return replacedLine(replacedBy, release);
    return `:rocket: Deployed to production by ${mention(by)}: ${link(url)}${release ? ` (production release ${release})` : ''}`;
  }
  switch (progress.ending?.kind) {
    case 'closed':
      return `:no_entry: Closed by ${mention(progress.ending.by)}`;
    case 'superseded':
      return progress.ending.reason === 'digest-changed'
        ? digestChangedLine(progress.ending, previewDigestOf({ facts, progress }))
        : `:fast_forward: Superseded by a newer build of ${code(facts.target)} (${code(progress.ending.newImage)})`;
    case 'expired':
      return expiredLine(progress.ending.why, facts.type);
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = progress.ending;
      return _exhaustive;
    }
  }
}

/**
 * A shipped build whose release no longer runs in production: rolled back from (production went
 * back to an earlier release's build), or replaced by a newer release.
 */
export function replacedLine(replacedBy: Replacement, release: number | undefined): string {
  const was = release ? `production release ${release}` : 'in production';
  return replacedBy.rolledBack
    ? `:rewind: Rolled back by ${mention(replacedBy.by)} (was ${was}): production runs build ${code(replacedBy.buildId)} again, as release ${replacedBy.release}`
    : `:package: Replaced in production by release ${replacedBy.release} (build ${code(replacedBy.buildId)}, shipped by ${mention(replacedBy.by)}); this build was ${was}`;
}

/**
 * The preview no longer runs what QA reviewed (the tag was pushed again, the pods were
 * replaced): those bits became a new build of their own, which QA reviews from scratch.
 */
function digestChangedLine(ending: Extract<BuildEnding, { kind: 'superseded' }>, reviewed: string | undefined): string {
  const pinned = ending.newImage.match(/@(sha256:[0-9a-f]+)$/);
  const now = code(pinned ? shortDigest(pinned[1]) : ending.newImage);
  const was = reviewed ? `the ${code(shortDigest(reviewed))} QA reviewed` : 'what QA reviewed';
  return `:warning: Superseded: the preview now runs ${now}, not ${was}. A new build was registered for it and needs QA again`;
}

/**
 * Where production stands while the build is still open. `retry` is added after a failure
 * (of any cause the owners can deploy again), worded for who reads it.
 */
export function productionLine({ progress }: BuildSnapshot, retry: string): string | undefined {
  const production = progress.production;
  switch (production?.status) {
    case 'deploying':
      return `:hourglass_flowing_sand: Deploying to production… (requested by ${mention(production.by)})`;
    case 'failed':
      return `:x: ${productionFailedHeadline(production.reason, production.cause)}. ${retry}`;
    case 'deployed':
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = production;
      return _exhaustive;
    }
  }
}

/** Why an expired build ended, and that CI may send it again. */
export function expiredLine(why: Extract<BuildEnding, { kind: 'expired' }>['why'], type: string): string {
  switch (why) {
    case 'preview-ttl':
      return ':hourglass: Expired: the preview reached its time limit and nobody kept it';
    case 'approval-ttl':
      return ':hourglass: Expired: nobody decided on this build in time. Send it again from CI to start over';
    case 'branch-deleted':
      return `:hourglass: Expired: the ${type} was deleted`;
    default: {
      const _exhaustive: never = why;
      return _exhaustive;
    }
  }
}

/**
 * A time as Slack shows it to each reader, in their own time zone ("Dec 9th at 14:00"), with
 * the UTC time as the fallback for clients that cannot.
 */
export const slackTime = (iso: string): string => {
  const at = new Date(iso);
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
};

/** While the preview may expire: when, and who kept it last. */
export function previewExpiryLine({ progress }: BuildSnapshot): string | undefined {
  const expiry = progress.previewExpiry;
  if (!expiry || progress.ending || progress.production?.status === 'deployed') return undefined;
  return expiry.keptBy
    ? `:hourglass_flowing_sand: Kept by ${mention(expiry.keptBy)} until ${slackTime(expiry.expiresAt)}`
    : `:hourglass_flowing_sand: The preview expires ${slackTime(expiry.expiresAt)}`;
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
