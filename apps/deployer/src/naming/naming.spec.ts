import { describe, expect, it } from '@jest/globals';
import { targetLabel, workloadName } from './naming';
import { hostOf, previewUrl } from '@app/contracts';

describe('workloadName', () => {
  it('names a preview <project>-<type>-<target>', () => {
    expect(workloadName({ environment: 'preview', project: 'shop', type: 'branch', target: 'staging' })).toBe('shop-branch-staging');
    expect(workloadName({ environment: 'preview', project: 'shop', type: 'tag', target: 'v1' })).toBe('shop-tag-v1');
  });

  it('sanitizes a branch name that is not a DNS label', () => {
    expect(workloadName({ environment: 'preview', project: 'shop', type: 'branch', target: 'feature/Login' })).toMatch(
      /^shop-branch-feature-login-[0-9a-f]{8}$/,
    );
  });

  it('names production after the project alone', () => {
    expect(workloadName({ environment: 'production', project: 'shop' })).toBe('shop');
  });

  it('never lets a branch and a tag of the same name share a workload', () => {
    const branch = workloadName({ environment: 'preview', project: 'shop', type: 'branch', target: 'x' });
    const tag = workloadName({ environment: 'preview', project: 'shop', type: 'tag', target: 'x' });
    expect(branch).not.toBe(tag);
  });
});

describe('previewUrl', () => {
  it('puts the preview at <target>.<type>.<project host> (the seed scheme)', () => {
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
