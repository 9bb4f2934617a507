import type { BuildView, OpenBuildView, ProjectStatusView, ReleaseView, WaitingFor } from '@app/contracts';
import { context, escapeMrkdwn, link, mention, section, SlashAnswer, when } from './slash-answer';

/** `branch feature/login`, as every answer names a build. */
export const targetOf = (b: Pick<BuildView, 'type' | 'target'>): string => `${b.type} \`${escapeMrkdwn(b.target)}\``;

const people = (users: readonly string[]): string => (users.length ? users.map(mention).join(', ') : 'nobody (check the projects file)');

/** Who an open build waits for, in words. */
export function waitingText(waiting: WaitingFor): string {
  switch (waiting.on) {
    case 'deployer':
      return `deploying to ${waiting.environment}…`;
    case 'qa':
      return `waits for QA: ${people(waiting.users)} (${waiting.approvalsMissing} more approval${waiting.approvalsMissing === 1 ? '' : 's'} needed)`;
    case 'owners': {
      const to = {
        ship: 'ready: waits for an owner to ship it',
        retry: 'production failed: waits for an owner to retry or close it',
        close: 'rejected: waits for an owner to close it (or a new build)',
      };
      return `${to[waiting.to]}: ${people(waiting.users)}`;
    }
    case 'ci':
      return 'preview failed: waits for a new build from CI';
    default: {
      const _exhaustive: never = waiting;
      return _exhaustive;
    }
  }
}

const productionLine = (release: ReleaseView | null): string =>
  release
    ? `*Production:* ${targetOf(release)} \`${escapeMrkdwn(release.image)}\` — ${link(release.url)}, shipped by ${mention(release.by)} ${when(release.at)}`
    : '*Production:* nothing shipped yet';

const openLine = (b: OpenBuildView): string => {
  const why = b.failureReason ? ` (${escapeMrkdwn(b.failureReason.slice(0, 200))})` : '';
  return `• ${targetOf(b)} — ${link(b.previewUrl, 'preview')} — ${waitingText(b.waitingFor)}${why}${expiryText(b)}`;
};

/** ` — preview expires <date>` (`previews.ttl`), with who kept it last. */
const expiryText = (b: BuildView): string => {
  if (!b.previewExpiresAt) return '';
  return ` — preview ${b.keptBy ? `kept by ${mention(b.keptBy)} until` : 'expires'} ${when(b.previewExpiresAt)}`;
};

const expiredText: Record<NonNullable<BuildView['expiredBecause']>, string> = {
  'preview-ttl': ' (the preview reached its time limit)',
  'approval-ttl': ' (nobody decided on it in time)',
  'branch-deleted': ' (its branch was deleted)',
};

/** `status [project]`: per project, what production runs and every open build with who it waits for. */
export function statusAnswer(views: readonly ProjectStatusView[], left: readonly string[] = []): SlashAnswer {
  const blocks = views.map((v) => {
    const open = v.open.length ? v.open.map(openLine).join('\n') : '_No open builds._';
    return section(`*${escapeMrkdwn(v.name)}* (\`${escapeMrkdwn(v.project)}\`)\n${productionLine(v.production)}\n${open}`);
  });
  if (left.length) blocks.push(context(`Not shown: ${left.map(escapeMrkdwn).join(', ')} — ask for one with \`status <project>\`.`));
  const summary = views.map((v) => `${v.project}: ${v.open.length} open, production ${v.production ? v.production.target : 'none'}`);
  return { response_type: 'ephemeral', text: summary.join('; ') || 'no projects', blocks };
}

const buildLine = (b: BuildView): string => {
  const by = b.promotedBy ? `, shipped by ${mention(b.promotedBy)}` : b.closedBy ? `, closed by ${mention(b.closedBy)}` : '';
  const why = b.failureReason ? ` (${escapeMrkdwn(b.failureReason.slice(0, 200))})` : b.expiredBecause ? expiredText[b.expiredBecause] : '';
  return `• ${targetOf(b)} \`${escapeMrkdwn(b.image)}\` — *${escapeMrkdwn(b.status)}*${why}${by} — ${when(b.createdAt)}`;
};

/** `builds <project>`: the newest builds, whatever became of them. */
export function buildsAnswer(project: string, builds: readonly BuildView[]): SlashAnswer {
  const lines = builds.length ? builds.map(buildLine).join('\n') : '_No builds yet._';
  return {
    response_type: 'ephemeral',
    text: `${project}: ${builds.length} latest build${builds.length === 1 ? '' : 's'}`,
    blocks: [section(`*Latest builds of \`${escapeMrkdwn(project)}\`*\n${lines}`)],
  };
}

/** `releases <project>`: production deployments, newest first. */
export function releasesAnswer(project: string, releases: readonly ReleaseView[]): SlashAnswer {
  const line = (r: ReleaseView) =>
    `• release ${r.release} · ${when(r.at)} — ${targetOf(r)} \`${escapeMrkdwn(r.digest ? `${r.image} (${r.digest.slice(0, 19)}…)` : r.image)}\` by ${mention(r.by)}${r.rollbackOf ? ` (rolled back from build \`${escapeMrkdwn(r.rollbackOf)}\`)` : ''}`;
  const lines = releases.length ? releases.map(line).join('\n') : '_Nothing shipped to production yet._';
  return {
    response_type: 'ephemeral',
    text: `${project}: ${releases.length} production deployment${releases.length === 1 ? '' : 's'}`,
    blocks: [section(`*Production history of \`${escapeMrkdwn(project)}\`*\n${lines}`)],
  };
}
