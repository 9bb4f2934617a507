import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDnsLabel, MAX_DNS_LABEL_LENGTH, toDnsLabel } from './dns-label';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Branch and tag names as people write them: slashes, dots, underscores, capitals, unicode. */
const gitRefName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 120 }),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,100}$/),
  fc.constantFrom('main', 'feature/Login_Form', 'release/1.2.3', 'v1.2.3', 'ÄÖÜ-branch', '---', '..', '_'),
);

describe('toDnsLabel', () => {
  it('always returns a valid DNS-1123 label of at most 63 characters', () => {
    fc.assert(
      fc.property(gitRefName, (raw) => {
        const label = toDnsLabel(raw);
        expect(label.length).toBeLessThanOrEqual(MAX_DNS_LABEL_LENGTH);
        expect(label).toMatch(DNS_1123_LABEL);
      }),
      { numRuns: 2_000 },
    );
  });

  it('starts with a letter when asked to, as Service names (DNS-1035) require', () => {
    fc.assert(
      fc.property(gitRefName, (raw) => {
        expect(toDnsLabel(raw, { startWithLetter: true })).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is deterministic', () => {
    fc.assert(fc.property(gitRefName, (raw) => expect(toDnsLabel(raw)).toBe(toDnsLabel(raw))));
  });

  it('gives distinct inputs distinct labels', () => {
    fc.assert(
      fc.property(fc.uniqueArray(gitRefName, { minLength: 2, maxLength: 200 }), (raws) => {
        expect(new Set(raws.map((r) => toDnsLabel(r))).size).toBe(raws.length);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps names that are already valid labels unchanged', () => {
    expect(toDnsLabel('staging')).toBe('staging');
    expect(toDnsLabel('shop-branch-feature-login')).toBe('shop-branch-feature-login');
  });

  it('replaces slashes, underscores and dots and adds a hash, so look-alike names stay apart', () => {
    const slashed = toDnsLabel('feature/Login_Form');
    expect(slashed).toMatch(/^feature-login-form-[0-9a-f]{8}$/);
    expect(toDnsLabel('feature-login-form')).toBe('feature-login-form');
    expect(toDnsLabel('Feature/Login_Form')).not.toBe(slashed);
    expect(toDnsLabel('release/1.2.3')).toMatch(/^release-1-2-3-[0-9a-f]{8}$/);
  });

  it('shortens long names to 63 characters with a hash suffix', () => {
    const long = 'a'.repeat(100);
    const label = toDnsLabel(long);
    expect(label).toHaveLength(63);
    expect(label).toMatch(/^a{54}-[0-9a-f]{8}$/);
    expect(toDnsLabel('a'.repeat(101))).not.toBe(label);
  });

  it('still names something when no usable character is left', () => {
    expect(isDnsLabel(toDnsLabel('///'))).toBe(true);
    expect(isDnsLabel(toDnsLabel('日本語'))).toBe(true);
    expect(toDnsLabel('///')).not.toBe(toDnsLabel('\\\\\\'));
  });
});
