import { describe, expect, it } from '@jest/globals';
import { dnsLabel, previewUrl } from './preview-url';

describe('preview URLs', () => {
  it('puts the target and type in front of the project host', () => {
    expect(previewUrl('https://example.org', 'branch', 'staging')).toBe('https://staging.branch.example.org');
  });

  it('turns a branch name into one DNS label', () => {
    expect(previewUrl('https://example.org', 'branch', 'feature/Login_Page')).toBe('https://feature-login-page.branch.example.org');
  });

  it('keeps long targets within 63 characters and distinct', () => {
    const a = dnsLabel(`release-${'x'.repeat(80)}-a`);
    const b = dnsLabel(`release-${'x'.repeat(80)}-b`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});
