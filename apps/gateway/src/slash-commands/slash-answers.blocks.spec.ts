import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { BuildView, OpenBuildView, ProjectStatusView, ReleaseView } from '@app/contracts';
import { helpAnswer, invalidAnswer, unavailableAnswer } from './help.blocks';
import { buildsAnswer, releasesAnswer, statusAnswer } from './status.blocks';
import { targetActionAnswer } from './target-action.blocks';
import type { AnswerBlock, Button, SlashAnswer } from './slash-answer';

const build = (over: Partial<BuildView> = {}): BuildView => ({
  id: 'b-1',
  project: 'shop',
  type: 'branch',
  target: 'feature/login',
  image: 'registry.example.org/shop:1.2.3',
  status: 'approved',
  previewUrl: 'https://feature-login.branch.shop.example.org',
  productionUrl: null,
  verdicts: [{ user: 'U0QA00001', verdict: 'approve', at: '2026-01-01T00:00:00.000Z' }],
  approvalsRequired: 1,
  promotedBy: null,
  closedBy: null,
  supersededBy: null,
  failureReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const release = (over: Partial<ReleaseView> = {}): ReleaseView => ({
  buildId: 'b-0',
  project: 'shop',
  type: 'tag',
  target: 'v1.0.0',
  image: 'registry.example.org/shop:1.0.0',
  digest: `sha256:${'a'.repeat(64)}`,
  url: 'https://shop.example.org',
  by: 'U0OWNER01',
  at: '2026-01-02T10:00:00.000Z',
  release: 1,
  rollbackOf: null,
  ...over,
});

const textOf = (answer: SlashAnswer): string =>
  (answer.blocks ?? [])
    .map((b: AnswerBlock) => (b.type === 'section' ? b.text.text : b.type === 'context' ? b.elements.map((e) => e.text).join(' ') : ''))
    .join('\n');
const buttonsOf = (answer: SlashAnswer): Button[] => (answer.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : []));

describe("the slash command's answers", () => {
  it('are all ephemeral', () => {
    for (const answer of [
      helpAnswer('/deploybot'),
      invalidAnswer('/deploybot', 'x'),
      unavailableAnswer(),
      statusAnswer([]),
      buildsAnswer('shop', []),
      releasesAnswer('shop', []),
      targetActionAnswer('promote', build(), { url: 'https://shop.example.org' }),
    ]) {
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text.length).toBeGreaterThan(0);
    }
  });

  it('help lists every subcommand under the name the app gave the command', () => {
    // What a person reads: Slack shows &lt; as <.
    const text = textOf(helpAnswer('/deploy')).replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    for (const line of [
      'status [project]',
      'builds <project>',
      'releases <project>',
      'promote <project> <branch|tag>/<name>',
      'close <project>',
      'help',
    ]) {
      expect(text).toContain(`/deploy ${line}`);
    }
  });

  it('a malformed command gets the problem and the usage line of its subcommand', () => {
    const answer = invalidAnswer('/deploybot', 'promote needs a branch or tag after the project', 'promote');
    expect(answer.text).toBe(
      'promote needs a branch or tag after the project. Usage: `/deploybot promote &lt;project&gt; &lt;branch|tag&gt;/&lt;name&gt;`',
    );
    expect(textOf(answer)).not.toContain('releases');
  });

  it('an unknown command gets every usage line, and what the person typed is escaped', () => {
    const answer = invalidAnswer('/deploybot', '"<!channel>" is not a deploybot command');
    expect(textOf(answer)).toContain('&lt;!channel&gt;');
    expect(textOf(answer)).not.toContain('<!channel>');
    expect(textOf(answer)).toContain('/deploybot releases');
  });

  it('status shows what production runs and who each open build waits for, with mentions', () => {
    const open = (o: Partial<OpenBuildView>): OpenBuildView => ({ ...build(), waitingFor: { on: 'ci' }, ...o });
    const view: ProjectStatusView = {
      project: 'shop',
      name: 'Shop',
      production: release(),
      open: [
        open({ target: 'feature/a', waitingFor: { on: 'qa', users: ['U0QA00002'], approvalsMissing: 1 } }),
        open({ target: 'feature/b', waitingFor: { on: 'owners', users: ['U0OWNER01'], to: 'ship' } }),
        open({ target: 'feature/c', waitingFor: { on: 'deployer', environment: 'preview' } }),
        open({ target: 'feature/d', waitingFor: { on: 'ci' }, status: 'preview-failed', failureReason: 'ImagePullBackOff: <x>' }),
      ],
    };
    const text = textOf(statusAnswer([view, { project: 'duo', name: 'Duo', production: null, open: [] }], ['more']));
    expect(text).toContain(
      '*Production:* tag `v1.0.0` `registry.example.org/shop:1.0.0` — <https://shop.example.org>, shipped by <@U0OWNER01>',
    );
    expect(text).toContain(
      'branch `feature/a` — <https://feature-login.branch.shop.example.org|preview> — waits for QA: <@U0QA00002> (1 more approval needed)',
    );
    expect(text).toContain(
      'branch `feature/b` — <https://feature-login.branch.shop.example.org|preview> — ready: waits for an owner to ship it: <@U0OWNER01>',
    );
    expect(text).toContain('deploying to preview…');
    expect(text).toContain('preview failed: waits for a new build from CI (ImagePullBackOff: &lt;x&gt;)');
    expect(text).toContain('*Duo* (`duo`)\n*Production:* nothing shipped yet\n_No open builds._');
    expect(text).toContain('Not shown: more');
  });

  it('says when an open preview expires and who kept it, and why an expired build expired', () => {
    const open = (o: Partial<OpenBuildView>): OpenBuildView => ({ ...build(), waitingFor: { on: 'ci' }, ...o });
    const status = textOf(
      statusAnswer([
        {
          project: 'shop',
          name: 'Shop',
          production: null,
          open: [
            open({ target: 'a', waitingFor: { on: 'ci' }, previewExpiresAt: '2026-01-04T12:00:00.000Z' }),
            open({ target: 'b', waitingFor: { on: 'ci' }, previewExpiresAt: '2026-01-05T12:00:00.000Z', keptBy: 'U0OWNER01' }),
          ],
        },
      ]),
    );
    expect(status).toContain('— preview expires <!date^1767528000^{date_short_pretty} {time}|2026-01-04 12:00 UTC>');
    expect(status).toContain('— preview kept by <@U0OWNER01> until <!date^1767614400^');
    const builds = textOf(buildsAnswer('shop', [build({ status: 'expired', expiredBecause: 'branch-deleted' })]));
    expect(builds).toContain('*expired* (its branch was deleted)');
  });

  it('builds and releases list one line per build or deployment', () => {
    const builds = textOf(
      buildsAnswer('shop', [
        build({ status: 'in-production', promotedBy: 'U0OWNER01' }),
        build({ status: 'preview-failed', failureReason: 'ImagePullBackOff' }),
      ]),
    );
    expect(builds).toContain('*in-production*, shipped by <@U0OWNER01>');
    expect(builds).toContain('*preview-failed* (ImagePullBackOff)');
    const releases = textOf(releasesAnswer('shop', [release(), release({ target: 'v0.9.0', digest: null })]));
    expect(releases.split('\n').filter((l) => l.startsWith('•'))).toHaveLength(2);
    expect(releases).toContain('<!date^1767348000^{date_short_pretty} {time}|2026-01-02 10:00 UTC>');
    expect(releases).toContain('by <@U0OWNER01>');
    expect(releases).toContain('• release 1 · ');
    expect(textOf(releasesAnswer('shop', []))).toContain('Nothing shipped to production yet');
  });

  it('releases numbers each release and says which were rollbacks, and from which build', () => {
    const text = textOf(releasesAnswer('shop', [release({ release: 3, rollbackOf: 'b-2' }), release({ release: 2, buildId: 'b-2' })]));
    const lines = text.split('\n').filter((l) => l.startsWith('•'));
    expect(lines[0]).toMatch(/^• release 3 · .* \(rolled back from build `b-2`\)$/);
    expect(lines[1]).toMatch(/^• release 2 · /);
    expect(lines[1]).not.toContain('rolled back');
  });

  it("promote offers the owner DM's Deploy to production button, behind a confirm dialog", () => {
    const answer = targetActionAnswer('promote', build(), { url: 'https://shop.example.org' });
    const [button] = buttonsOf(answer);
    expect(button).toMatchObject({ action_id: SlackActions.Promote, value: 'b-1', style: 'primary' });
    expect(button.confirm?.text.text).toContain('will be deployed to <https://shop.example.org>');
    expect(button.confirm?.confirm.text).toBe('Deploy');
  });

  it("keeps the confirm dialog's text within Slack's 300 characters for a long image and branch", () => {
    const long = build({ image: `registry.example.org/${'a'.repeat(120)}:1`, target: `feature/${'b'.repeat(190)}` });
    const [button] = buttonsOf(targetActionAnswer('promote', long, { url: 'https://shop.example.org' }));
    expect(button.confirm?.text.text).toBe('Build `b-1` will be deployed to <https://shop.example.org>.');
  });

  it("close offers the owner DM's Close button, behind a confirm dialog", () => {
    const [button] = buttonsOf(targetActionAnswer('close', build({ status: 'awaiting-qa' }), { url: 'https://shop.example.org' }));
    expect(button).toMatchObject({ action_id: SlackActions.Close, value: 'b-1', style: 'danger' });
    expect(button.confirm?.text.text).toContain('https://feature-login.branch.shop.example.org');
  });

  it.each([
    ['in-production', { promotedBy: 'U0OWNER01' }, 'is in production (shipped by <@U0OWNER01>)'],
    ['closed', { closedBy: 'U0OWNER01' }, 'was closed by <@U0OWNER01>'],
    ['superseded', { supersededBy: 'b-2' }, 'was superseded by build `b-2`'],
    [
      'replaced',
      { release: 1, replacedBy: 'b-2', replacedByRelease: 2 },
      'was in production as release 1 and was replaced by release 2 (build `b-2`)',
    ],
    [
      'rolled-back',
      { release: 2, replacedBy: 'b-0', replacedByRelease: 3 },
      'was in production as release 2 and was rolled back to build `b-0`',
    ],
    ['expired', { expiredBecause: 'approval-ttl' as const }, 'expired (approval-ttl)'],
    ['production-deploying', {}, 'is being deployed to production right now'],
  ])('offers no button for a build that is %s, and says so', (status, over, says) => {
    for (const kind of ['promote', 'close'] as const) {
      const answer = targetActionAnswer(kind, build({ status, ...over }), { url: 'https://shop.example.org' });
      expect(buttonsOf(answer)).toEqual([]);
      expect(answer.text).toContain(says);
    }
  });
});
