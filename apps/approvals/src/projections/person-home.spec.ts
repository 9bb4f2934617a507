import { describe, expect, it } from '@jest/globals';
import type { ReleaseView, VerdictView } from '@app/contracts';
import type { BuildRow } from './build-view.projection';
import { type HomeProjectFacts, personHome } from './person-home';

const QA = 'U0QA00001';
const OTHER_QA = 'U0QA00002';
const OWNER = 'U0OWNER01';
const STRANGER = 'U0NOBODY1';

const approve = (user: string): VerdictView => ({ user, verdict: 'approve', at: '2026-01-01T00:00:00Z' });

const row = (id: string, status: string, verdicts: VerdictView[] = [], project = 'shop'): BuildRow => ({
  id,
  requestId: `req-${id}`,
  project,
  type: 'branch',
  target: id,
  image: `registry.example.org/${project}:${id}`,
  status,
  previewUrl: `https://${id}.branch.${project}.example.org`,
  productionUrl: null,
  verdicts,
  approvalsRequired: 1,
  promotedBy: null,
  closedBy: null,
  supersededBy: null,
  failureReason: null,
  previewExpiresAt: null,
  keptBy: null,
  expiredBecause: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  version: 1,
});

const release = (project: string, buildId: string, at: string, number = 1): ReleaseView => ({
  buildId,
  project,
  type: 'branch',
  target: 'main',
  image: `registry.example.org/${project}:${buildId}`,
  digest: null,
  url: `https://${project}.example.org`,
  by: OWNER,
  at,
  release: number,
  rollbackOf: null,
});

const shop = (open: BuildRow[], releases: ReleaseView[] = []): HomeProjectFacts => ({
  project: 'shop',
  name: 'Shop',
  roles: { qa: [QA, OTHER_QA], owners: [OWNER] },
  open,
  releases,
});

describe("a person's App Home", () => {
  it('lists for a QA member the builds waiting for their verdict, not those they already judged', () => {
    const home = personHome(QA, [shop([row('a', 'awaiting-qa'), row('b', 'awaiting-qa', [{ ...approve(QA), verdict: 'reject' }])])]);
    expect(home.toApprove.map((b) => b.id)).toEqual(['a']);
    expect(home.toShip).toEqual([]);
  });

  it('lists for an owner the builds that meet the approval rule, and not those still waiting for QA', () => {
    const home = personHome(OWNER, [shop([row('a', 'approved', [approve(QA)]), row('b', 'awaiting-qa'), row('c', 'rejected')])]);
    expect(home.toShip.map((b) => b.id)).toEqual(['a']);
    expect(home.toApprove).toEqual([]);
  });

  it("shows the live previews and the production release of the person's projects only", () => {
    const other: HomeProjectFacts = {
      ...shop([row('x', 'awaiting-qa', [], 'blog')]),
      project: 'blog',
      name: 'Blog',
      roles: { qa: [], owners: ['U0OWNER02'] },
    };
    const home = personHome(QA, [
      shop(
        [row('a', 'awaiting-qa'), row('b', 'preview-deploying'), row('c', 'preview-failed')],
        [release('shop', 'p2', '2026-01-02T00:00:00Z', 2)],
      ),
      other,
    ]);
    expect(home.projects).toHaveLength(1);
    expect(home.projects[0]).toMatchObject({ project: 'shop', roles: ['qa'], production: { buildId: 'p2' } });
    expect(home.projects[0]!.previews.map((b) => b.id)).toEqual(['a']);
  });

  it('shows the latest releases of all their projects, newest first and bounded', () => {
    const blog: HomeProjectFacts = {
      ...shop([], [release('blog', 'b1', '2026-01-03T00:00:00Z')]),
      project: 'blog',
      name: 'Blog',
    };
    const shopReleases = [4, 3, 2, 1].map((n) => release('shop', `s${n}`, `2026-01-0${n}T12:00:00Z`, n));
    const home = personHome(OWNER, [shop([], shopReleases), blog]);
    expect(home.releases.map((r) => r.buildId)).toEqual(['s4', 's3', 'b1', 's2', 's1']);
  });

  it('is empty for someone in no project', () => {
    expect(personHome(STRANGER, [shop([row('a', 'awaiting-qa')])])).toEqual({
      user: STRANGER,
      toApprove: [],
      toShip: [],
      projects: [],
      releases: [],
    });
  });
});
