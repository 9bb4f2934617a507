import { describe, expect, it } from '@jest/globals';
import type { BuildView, OpenBuildView, PersonHomeView, ReleaseView } from '@app/contracts';
import { HOME_MAX_LISTED, homeText, homeView } from './home.blocks';

const build = (target: string, status = 'awaiting-qa'): BuildView => ({
  id: `b-${target}`,
  project: 'shop',
  type: 'branch',
  target,
  image: `registry.example.org/shop:${target}`,
  status,
  previewUrl: `https://${target}.branch.shop.example.org`,
  productionUrl: null,
  verdicts: [],
  approvalsRequired: 1,
  promotedBy: null,
  closedBy: null,
  supersededBy: null,
  failureReason: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});
const waiting = (target: string): OpenBuildView => ({
  ...build(target),
  waitingFor: { on: 'qa', users: ['U0QA00001'], approvalsMissing: 1 },
});
const release: ReleaseView = {
  buildId: 'b-main',
  project: 'shop',
  type: 'branch',
  target: 'main',
  image: 'registry.example.org/shop:1',
  digest: null,
  url: 'https://shop.example.org',
  by: 'U0OWNER01',
  at: '2026-01-02T10:30:00.000Z',
  release: 3,
  rollbackOf: 'b-old',
};
const home = (patch: Partial<PersonHomeView> = {}): PersonHomeView => ({
  user: 'U0QA00001',
  toApprove: [],
  toShip: [],
  projects: [{ project: 'shop', name: 'Shop', roles: ['qa'], previews: [build('feature-a')], production: release }],
  releases: [release],
  ...patch,
});

describe("a person's Home tab", () => {
  it('is a home view that lists the build waiting for their verdict, with its preview link', () => {
    const view = homeView(home({ toApprove: [waiting('feature-a')] }));
    expect(view.type).toBe('home');
    const text = homeText(view);
    expect(text).toContain('Approve or reject *shop* · `feature-a` (branch) — <https://feature-a.branch.shop.example.org|preview>');
    expect(text).toContain('Nothing is ready for you to ship.');
  });

  it('says nothing waits once the list is empty, so a republished Home drops an approved build', () => {
    expect(homeText(homeView(home()))).toContain('Nothing waits for your verdict.');
    expect(homeText(homeView(home()))).not.toContain('Approve or reject');
  });

  it("shows each project's production release and previews, and the recent releases with who shipped them", () => {
    const text = homeText(homeView(home()));
    expect(text).toContain('*Shop* (qa)\nProduction: `main` (release 3, <https://shop.example.org|open>)');
    expect(text).toContain('Previews: <https://feature-a.branch.shop.example.org|feature-a>');
    expect(text).toContain('shop release 3: `main` by <@U0OWNER01>, 2026-01-02 10:30 UTC (rollback)');
  });

  it('bounds long lists and stays within Slack’s 100 blocks', () => {
    const many = Array.from({ length: 40 }, (_, i) => waiting(`f${i}`));
    const view = homeView(home({ toApprove: many, toShip: many }));
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(homeText(view)).toContain(`…and ${40 - HOME_MAX_LISTED} more.`);
  });

  it('tells someone in no project how to get in', () => {
    expect(homeText(homeView(home({ projects: [], releases: [] })))).toContain('you are in no deploybot project yet');
  });
});
