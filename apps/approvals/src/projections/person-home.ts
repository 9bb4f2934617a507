import { HOME_MAX_RELEASES } from '@app/contracts';
import type { BuildView, HomeProjectView, OpenBuildView, PersonHomeView, ReleaseView } from '@app/contracts';
import { toView } from './build-view.projection';
import type { BuildRow, BuildViewStatus } from './build-view.projection';
import { type ProjectRoles, waitingFor } from './waiting-for';

/** What approvals read of one project for a person's Home: its roles, open builds and latest releases. */
export interface HomeProjectFacts {
  project: string;
  name: string;
  roles: ProjectRoles;
  /** Open builds (not in production, closed, superseded or expired), newest first. */
  open: readonly BuildRow[];
  /** The project's releases, newest first (the first is what production runs). */
  releases: readonly ReleaseView[];
}

/** Open builds whose preview is not (yet, or any more) up: still deploying, or failed. */
const NO_PREVIEW: readonly BuildViewStatus[] = ['registered', 'preview-deploying', 'preview-failed'];

/**
 * One person's Home (pure): builds waiting for their verdict (they are QA and have not given one),
 * builds ready to ship in projects they own, per project they are in its live previews and
 * production release, and the latest releases of those projects. The decision of who a build
 * waits for is `waitingFor`'s, the same as the slash command's `status`.
 */
export function personHome(user: string, projects: readonly HomeProjectFacts[]): PersonHomeView {
  const toApprove: OpenBuildView[] = [];
  const toShip: OpenBuildView[] = [];
  const mine: HomeProjectView[] = [];
  const releases: ReleaseView[] = [];
  for (const facts of projects) {
    const roles = rolesOf(user, facts.roles);
    if (roles.length === 0) continue;
    for (const row of facts.open) {
      const waits = waitingFor(row, facts.roles);
      const open = (): OpenBuildView => ({ ...toView(row), waitingFor: waits });
      if (waits.on === 'qa' && waits.users.includes(user)) toApprove.push(open());
      else if (waits.on === 'owners' && waits.to === 'ship' && waits.users.includes(user)) toShip.push(open());
    }
    const previews: BuildView[] = facts.open.filter((row) => !NO_PREVIEW.includes(row.status as BuildViewStatus)).map(toView);
    mine.push({ project: facts.project, name: facts.name, roles, previews, production: facts.releases[0] ?? null });
    releases.push(...facts.releases);
  }
  releases.sort((a, b) => b.at.localeCompare(a.at));
  return { user, toApprove, toShip, projects: mine, releases: releases.slice(0, HOME_MAX_RELEASES) };
}

const rolesOf = (user: string, roles: ProjectRoles): ('qa' | 'owner')[] => [
  ...(roles.qa.includes(user) ? (['qa'] as const) : []),
  ...(roles.owners.includes(user) ? (['owner'] as const) : []),
];
