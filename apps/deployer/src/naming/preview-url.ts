import { BuildType } from '@app/contracts';
import { targetLabel } from './naming';

/**
 * The seed's URL scheme: a preview of `target` lives at `<target>.<type>.<project host>`
 * (project url https://example.org, branch staging → https://staging.branch.example.org).
 * The target is sanitized to a DNS label, so any branch name gives a valid host.
 */
export function previewUrl(projectUrl: string, type: BuildType, target: string): string {
  const url = new URL(projectUrl);
  url.hostname = `${targetLabel(target)}.${type}.${url.hostname}`;
  return origin(url);
}

/** The host a URL is served on, as a route needs it (no scheme, no port). */
export const hostOf = (url: string): string => new URL(url).hostname;

/** `https://host[:port]` without a trailing slash: how the URL is shown in Slack. */
const origin = (url: URL): string => `${url.protocol}//${url.host}`;
