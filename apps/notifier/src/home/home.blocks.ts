import type { BuildView, HomeProjectView, OpenBuildView, PersonHomeView, ReleaseView } from '@app/contracts';
import { context, section, type ContextBlock, type SectionBlock } from '../messages/block-kit';
import { code, escape, link, mention } from '../messages/mrkdwn';

/** A Home view as `views.publish` takes it (Slack's `HomeView`, the part deploybot uses). */
export interface HomeView {
  type: 'home';
  blocks: Array<SectionBlock | ContextBlock>;
}

/** Builds listed per list; the rest are counted. With the contracts' bounds a Home stays far under Slack's 100 blocks. */
export const HOME_MAX_LISTED = 10;

/**
 * One person's Home tab (pure): what waits for them (builds to approve, builds to ship), their
 * projects' production and previews, the latest releases. Acting stays in the DMs, where the
 * buttons are; the Home links to them by the previews.
 */
export function homeView(home: PersonHomeView): HomeView {
  if (home.projects.length === 0) {
    return {
      type: 'home',
      blocks: [section(`Hi ${mention(home.user)} — you are in no deploybot project yet. Ask an owner to add you to the projects file.`)],
    };
  }
  return {
    type: 'home',
    blocks: [
      section('*Waiting for you*'),
      ...listed(home.toApprove, ':eyes: Nothing waits for your verdict.', (b) => `:eyes: Approve or reject ${buildLine(b)}`),
      ...listed(home.toShip, ':rocket: Nothing is ready for you to ship.', (b) => `:rocket: Ready to ship: ${buildLine(b)}`),
      section('*Your projects*'),
      ...home.projects.slice(0, HOME_MAX_LISTED).map(projectBlock),
      section('*Recent releases*'),
      home.releases.length ? section(home.releases.map(releaseLine).join('\n')) : context('No release yet.'),
      context('Updated when a build of yours changes. Approve, reject and ship from the messages deploybot sent you.'),
    ],
  };
}

/** Plain text for logs and tests: what the Home says, one line per block. */
export function homeText(view: HomeView): string {
  return view.blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : b.elements.map((e) => e.text).join(' '))).join('\n');
}

function listed(builds: readonly OpenBuildView[], none: string, line: (b: OpenBuildView) => string): SectionBlock[] {
  if (builds.length === 0) return [section(none)];
  const shown = builds.slice(0, HOME_MAX_LISTED).map((b) => section(line(b)));
  const more = builds.length - shown.length;
  return more > 0 ? [...shown, section(`…and ${more} more.`)] : shown;
}

const buildLine = (b: BuildView): string => `*${escape(b.project)}* · ${code(b.target)} (${b.type}) — ${link(b.previewUrl, 'preview')}`;

function projectBlock(p: HomeProjectView): SectionBlock {
  const production = p.production
    ? `Production: ${code(p.production.target)} (release ${p.production.release}, ${link(p.production.url, 'open')})`
    : 'Production: nothing shipped yet';
  const previews = p.previews.length
    ? `Previews: ${p.previews
        .slice(0, HOME_MAX_LISTED)
        .map((b) => link(b.previewUrl, b.target))
        .join(', ')}`
    : 'Previews: none';
  return section(`*${escape(p.name)}* (${p.roles.join(', ')})\n${production}\n${previews}`);
}

const releaseLine = (r: ReleaseView): string =>
  `${escape(r.project)} release ${r.release}: ${code(r.target)} by ${mention(r.by)}, ${r.at.slice(0, 16).replace('T', ' ')} UTC${r.rollbackOf ? ' (rollback)' : ''}`;
