import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError, parseProjects } from '@app/platform';
import { hostOf, isDnsLabel, previewUrl } from '@app/contracts';
import { legacyPreviewName, targetLabel, workloadName } from './naming';

const preview = (project: string, type: 'branch' | 'tag', target: string) =>
  workloadName({ environment: 'preview', project, type, target });
const production = (project: string) => workloadName({ environment: 'production', project });

/** Project ids the projects file accepts: a DNS-1035 label of at most 40 characters without "--". */
const projectId = fc.stringMatching(/^[a-z][-a-z0-9]{0,38}[a-z0-9]$|^[a-z]$/).filter((id) => !id.includes('--'));
/** Branch and tag names as git allows them, plus the odd characters CI sends. */
const target = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._/-]{1,120}$/), fc.string({ minLength: 1, maxLength: 80 }));
const type = fc.constantFrom('branch' as const, 'tag' as const);

describe('workloadName', () => {
  it('names a preview <project>-<type>-<target>--<hash>', () => {
    expect(preview('shop', 'branch', 'staging')).toMatch(/^shop-branch-staging--[0-9a-f]{10}$/);
    expect(preview('shop', 'tag', 'v1')).toMatch(/^shop-tag-v1--[0-9a-f]{10}$/);
  });

  it('names production after the project alone', () => {
    expect(production('shop')).toBe('shop');
  });

  it('keeps a preview name stable across restarts and versions (a new name would orphan running previews)', () => {
    expect(preview('shop', 'branch', 'feature/Login')).toBe(preview('shop', 'branch', 'feature/Login'));
    expect(preview('shop', 'branch', 'main')).toBe('shop-branch-main--64a0c36e02');
  });

  it('keeps apart the preview of shop/main and the production of a project called shop-branch-main', () => {
    expect(preview('shop', 'branch', 'main')).not.toBe(production('shop-branch-main'));
  });

  it('keeps apart branches that differ only in characters a name cannot hold, and a branch and a tag of one name', () => {
    expect(preview('shop', 'branch', 'feature/Login')).not.toBe(preview('shop', 'branch', 'feature-login'));
    expect(preview('shop', 'branch', 'x')).not.toBe(preview('shop', 'tag', 'x'));
  });

  it('gives every preview and production name a DNS-1035 label of at most 63 characters', () => {
    fc.assert(
      fc.property(projectId, type, target, (project, t, ref) => {
        expect(isDnsLabel(preview(project, t, ref), { startWithLetter: true })).toBe(true);
        expect(isDnsLabel(production(project), { startWithLetter: true })).toBe(true);
      }),
    );
  });

  it('never gives a preview the production name of any project', () => {
    fc.assert(
      fc.property(projectId, type, target, projectId, (project, t, ref, other) => {
        expect(preview(project, t, ref)).not.toBe(production(other));
      }),
    );
    // The case that collided before: the other project's id is exactly the old preview name.
    fc.assert(
      fc.property(projectId, type, target, (project, t, ref) => {
        const lookalike = legacyPreviewName({ environment: 'preview', project, type: t, target: ref });
        expect(preview(project, t, ref)).not.toBe(production(lookalike));
      }),
    );
  });

  it('never gives two different (project, type, target) the same preview name', () => {
    const identity = fc.tuple(projectId, type, target);
    fc.assert(
      fc.property(identity, identity, ([p1, t1, r1], [p2, t2, r2]) => {
        fc.pre(p1 !== p2 || t1 !== t2 || r1 !== r2);
        expect(preview(p1, t1, r1)).not.toBe(preview(p2, t2, r2));
      }),
    );
    // Near misses the readable part alone cannot tell apart.
    fc.assert(
      fc.property(projectId, type, fc.stringMatching(/^[a-z0-9]{60,80}$/), (project, t, long) => {
        expect(preview(project, t, `${long}a`)).not.toBe(preview(project, t, `${long}b`));
        expect(preview(project, t, long.toUpperCase())).not.toBe(preview(project, t, long));
      }),
    );
  });
});

describe('legacyPreviewName (objects applied by older versions)', () => {
  it('is the sanitized <project>-<type>-<target>', () => {
    expect(legacyPreviewName({ environment: 'preview', project: 'shop', type: 'branch', target: 'main' })).toBe('shop-branch-main');
    expect(legacyPreviewName({ environment: 'preview', project: 'shop', type: 'branch', target: 'feature/Login' })).toMatch(
      /^shop-branch-feature-login-[0-9a-f]{8}$/,
    );
  });
});

describe('project ids (projects file)', () => {
  const projectsFile = (id: string) => `
projects:
  - id: ${id}
    name: X
    url: https://example.org
    channel: C0123456789
    owners: [U0OWNER01]
`;
  const problemsOf = (id: string): string[] => {
    try {
      parseProjects(projectsFile(id), 'config.yml');
      return [];
    } catch (error) {
      return (error as ConfigError).message
        .split('\n')
        .slice(1)
        .map((line) => line.replace(/^\s*- /, ''));
    }
  };

  it('refuses an id with "--", which could equal a preview name, naming the field', () => {
    expect(problemsOf(preview('shop', 'branch', 'main'))).toEqual([
      expect.stringMatching(/^projects\[0\]\.id: expected no "--" \(preview names use "--"/),
    ]);
  });

  it('refuses an id that does not start with a letter', () => {
    expect(problemsOf('1shop')).toEqual([expect.stringMatching(/^projects\[0\]\.id: expected to start with a letter/)]);
  });

  it('accepts the ids people use', () => {
    for (const id of ['shop', 'shop-branch-main', 'test1', 'a']) expect(problemsOf(id)).toEqual([]);
  });
});

describe('previewUrl', () => {
  it('puts the preview at <target>.<type>.<project host> (the scheme of the original ci-bot)', () => {
    expect(previewUrl('https://example.org', 'branch', 'staging')).toBe('https://staging.branch.example.org');
    expect(previewUrl('https://example.org/', 'tag', 'v2')).toBe('https://v2.tag.example.org');
  });

  it('sanitizes the host label the same way as the label value', () => {
    const url = previewUrl('https://example.org', 'branch', 'feature/Login');
    expect(url).toBe(`https://${targetLabel('feature/Login')}.branch.example.org`);
    expect(hostOf(url)).toMatch(/^feature-login-[0-9a-f]{8}\.branch\.example\.org$/);
  });

  it('keeps a non-default port of the project URL', () => {
    expect(previewUrl('http://example.test:8080', 'branch', 'main')).toBe('http://main.branch.example.test:8080');
  });
});
