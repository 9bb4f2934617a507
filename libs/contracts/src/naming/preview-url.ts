import type { BuildType } from '../common';
import { toDnsLabel } from './dns-label';

/*
 * The URL scheme is shared: approvals puts the preview URL into the events, the deployer
 * routes its host, the notifier shows it. One function, so the three never disagree.
 */

/** The branch or tag as one DNS label (`feature/x` → `feature-x-1a2b3c4d`), for hosts and label values. */
export const targetLabel = (target: string): string => toDnsLabel(target);

/**
 * The URL scheme (the original ci-bot's): a preview of `target` lives at `<target>.<type>.<project host>`
 * (project url https://example.org, branch staging → https://staging.branch.example.org).
 * The target is sanitized to a DNS label, so any branch name gives a valid host, and two
 * branches that differ only in characters a host cannot hold get different hosts.
 */
export function previewUrl(projectUrl: string, type: BuildType, target: string): string {
  const url = new URL(projectUrl);
  url.hostname = `${targetLabel(target)}.${type}.${url.hostname}`;
  return `${url.protocol}//${url.host}`;
}

/** The host a URL is served on, as a route needs it (no scheme, no port). */
export const hostOf = (url: string): string => new URL(url).hostname;
