import type { FailureCause } from '@app/contracts';
import type { BuildSnapshot } from '../builds/build-snapshot';
import { teardownWhy } from '../builds/build-snapshot';
import { clip, escape } from './mrkdwn';

/*
 * How failed work reads, by its cause: the deployer said it failed (`deployer`), approvals
 * heard nothing before its deadline (`deadline`), or the deployer gave the request up
 * (`dead-letter`). Each line says what happened; the messages add what someone can do next.
 */

/** "failed", "timed out", "was given up by the deployer". */
export function outcomeOf(cause: FailureCause = 'deployer'): string {
  switch (cause) {
    case 'deployer':
      return 'failed';
    case 'deadline':
      return 'timed out';
    case 'dead-letter':
      return 'was given up by the deployer';
    default: {
      const _exhaustive: never = cause;
      return _exhaustive;
    }
  }
}

/** A failure reason from outside, escaped and clipped, as the end of a sentence (no doubled full stop). */
export const reasonText = (reason: string): string => escape(clip(reason.trim().replace(/\.+$/, '')));

/** The channel's status for a failed preview; CI sending the build again is a new try. */
export function previewFailedLine(reason: string, cause: FailureCause = 'deployer'): string {
  if (cause === 'deployer') return `:x: failed: ${escape(clip(reason))}`;
  const what = cause === 'deadline' ? 'timed out' : 'given up by the deployer';
  return `:x: ${what}: ${reasonText(reason)}. CI can send the build again to retry.`;
}

/** `Production deployment timed out: no answer from the deployer within 6 min` */
export const productionFailedHeadline = (reason: string, cause?: FailureCause): string =>
  `Production deployment ${outcomeOf(cause)}: ${reasonText(reason)}`;

/** Why the preview is still there, or how its removal went, for the owners' DM. */
export function teardownLine(build: BuildSnapshot): string | undefined {
  const teardown = build.progress.teardown;
  const afterProduction = teardownWhy(build) === 'in-production' ? ' now that the build is in production' : '';
  switch (teardown?.status) {
    case 'requested':
      return `:hourglass_flowing_sand: Removing the preview${afterProduction}…`;
    case 'removed':
      return `:wastebasket: Preview removed${afterProduction}`;
    case 'failed':
      return `:warning: ${teardownFailedHeadline(teardown.reason, teardown.cause)}. Click *Close* to try again.`;
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = teardown;
      return _exhaustive;
    }
  }
}

/** `The preview could not be removed: …` / `Removing the preview timed out: …` */
export function teardownFailedHeadline(reason: string, cause: FailureCause): string {
  return cause === 'deployer'
    ? `The preview could not be removed: ${reasonText(reason)}`
    : `Removing the preview ${outcomeOf(cause)}: ${reasonText(reason)}`;
}
