import { z } from 'zod';
import { SlackUserId } from './common';
import type { BuildView, OpenBuildView, ReleaseView } from './queries';

/*
 * The App Home tab (Slack's `app_home_opened`). The gateway receives the event (HTTP Events API or
 * Socket Mode) and asks the notifier (core NATS request/reply, Subjects.PublishHome, not stored) to
 * publish that person's Home; the notifier asks approvals for the person's view
 * (Subjects.PersonHome) and calls `views.publish`. Sent between services: renaming a field needs
 * both sides changed together.
 */

/** The most projects, and releases, a Home shows: it stays well under Slack's 100 blocks. */
export const HOME_MAX_PROJECTS = 10;
export const HOME_MAX_RELEASES = 5;

/** gateway → notifier, and notifier → approvals: whose Home. */
export const PersonHomeQuery = z.object({ user: SlackUserId });
export type PersonHomeQuery = z.infer<typeof PersonHomeQuery>;

/** gateway → notifier: publish this person's Home (they opened the tab). */
export const PublishHomeRequest = PersonHomeQuery;
export type PublishHomeRequest = PersonHomeQuery;

/** notifier → gateway: the Home is published (Slack answered `views.publish` ok), or why not. */
export type PublishHomeReply = { ok: true } | { ok: false; message: string };

/** One project the person is in (QA or owner): what runs in production and its live previews. */
export interface HomeProjectView {
  project: string;
  name: string;
  roles: ('qa' | 'owner')[];
  /** Open builds whose preview is up, newest first. */
  previews: BuildView[];
  production: ReleaseView | null;
}

/** approvals → notifier: what one person's Home shows. */
export interface PersonHomeView {
  user: string;
  /** Builds waiting for this person's QA verdict. */
  toApprove: OpenBuildView[];
  /** Builds of projects this person owns that meet the approval rule: ready to ship. */
  toShip: OpenBuildView[];
  projects: HomeProjectView[];
  /** The latest production releases of the person's projects, newest first (at most HOME_MAX_RELEASES). */
  releases: ReleaseView[];
}
