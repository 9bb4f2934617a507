import { describe, expect, it } from '@jest/globals';
import { hostOf, previewUrl } from './preview-url';

describe('preview URLs', () => {
  it('puts the target and type in front of the project host (the scheme of the original ci-bot)', () => {
    expect(previewUrl('https://example.org', 'branch', 'staging')).toBe('https://staging.branch.example.org');
    expect(previewUrl('https://example.org/', 'tag', 'v2')).toBe('https://v2.tag.example.org');
  });

  it('turns any branch name into one DNS label, keeping names that differ only in odd characters apart', () => {
    const slashed = previewUrl('https://example.org', 'branch', 'feature/Login_Page');
    expect(slashed).toMatch(/^https:\/\/feature-login-page-[0-9a-f]{8}\.branch\.example\.org$/);
    expect(previewUrl('https://example.org', 'branch', 'feature-login-page')).toBe('https://feature-login-page.branch.example.org');
  });

  it('keeps long targets within 63 characters and distinct', () => {
    const a = hostOf(previewUrl('https://example.org', 'branch', `release-${'x'.repeat(80)}-a`)).split('.')[0];
    const b = hostOf(previewUrl('https://example.org', 'branch', `release-${'x'.repeat(80)}-b`)).split('.')[0];
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  it('keeps the port of the project URL', () => {
    expect(previewUrl('http://example.test:8080', 'branch', 'main')).toBe('http://main.branch.example.test:8080');
  });
});
