import { describe, expect, it } from '@jest/globals';
import { signingVectors, slackFixture } from '../../test/support/fixtures';
import { slackSignature, verifySlackSignature } from './slack-signature';

const [docs, slackGo] = signingVectors();
const docsBody = slackFixture('signing/slack-docs-vector.body.txt');
const pinned = Number(docs.timestamp);
const request = { timestamp: docs.timestamp, signature: docs.expected_signature, rawBody: Buffer.from(docsBody) };

describe("Slack's request signature (v0)", () => {
  it("accepts Slack's published example with the clock pinned to its timestamp", () => {
    expect(docsBody).toBe(docs.body);
    expect(verifySlackSignature(docs.signing_secret, request, pinned)).toEqual({ ok: true });
  });

  it("refuses Slack's published example as stale with the real clock", () => {
    expect(verifySlackSignature(docs.signing_secret, request, Math.floor(Date.now() / 1000))).toEqual({ ok: false, reason: 'stale' });
  });

  it('computes the published signatures of both vectors', () => {
    expect(slackSignature(docs.signing_secret, docs.timestamp, docs.body)).toBe(docs.expected_signature);
    expect(slackSignature(slackGo.signing_secret, slackGo.timestamp, slackGo.body)).toBe(slackGo.expected_signature);
  });

  it("refuses slack-go's negative cases: another secret, or a body with another token", () => {
    const cases = (slackGo.negative_cases ?? []).filter((c) => c.body);
    expect(cases.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) {
      const check = verifySlackSignature(
        c.signing_secret ?? slackGo.signing_secret,
        { timestamp: slackGo.timestamp, signature: slackGo.expected_signature, rawBody: c.body! },
        Number(slackGo.timestamp),
      );
      expect(check).toEqual({ ok: false, reason: 'mismatch' });
    }
  });

  it('refuses a tampered body, even by one appended character', () => {
    for (const tampered of [`${docsBody}------`, docsBody.replace('roadrunner', 'roadrunnex'), docsBody.slice(0, -1)]) {
      expect(verifySlackSignature(docs.signing_secret, { ...request, rawBody: tampered }, pinned)).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('refuses a tampered signature, including one of another length', () => {
    const flipped = docs.expected_signature.slice(0, -1) + (docs.expected_signature.endsWith('3') ? '4' : '3');
    for (const signature of [flipped, 'v0=abc', docs.expected_signature.replace('v0=', 'v1='), docs.expected_signature.toUpperCase()]) {
      expect(verifySlackSignature(docs.signing_secret, { ...request, signature }, pinned)).toEqual({ ok: false, reason: 'mismatch' });
    }
  });

  it('refuses a request without signature or timestamp', () => {
    expect(verifySlackSignature(docs.signing_secret, { ...request, signature: undefined }, pinned)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifySlackSignature(docs.signing_secret, { ...request, signature: '' }, pinned)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifySlackSignature(docs.signing_secret, { ...request, timestamp: undefined }, pinned)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('refuses a timestamp that is not Unix seconds', () => {
    for (const timestamp of ['1531420618.5', '-1531420618', 'now', '1e9', ' 1531420618']) {
      expect(verifySlackSignature(docs.signing_secret, { ...request, timestamp }, pinned)).toEqual({
        ok: false,
        reason: 'malformed-timestamp',
      });
    }
  });

  it('accepts up to five minutes of clock difference either way, and not a second more', () => {
    expect(verifySlackSignature(docs.signing_secret, request, pinned + 300).ok).toBe(true);
    expect(verifySlackSignature(docs.signing_secret, request, pinned - 300).ok).toBe(true);
    expect(verifySlackSignature(docs.signing_secret, request, pinned + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackSignature(docs.signing_secret, request, pinned - 301)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a replayed body under a fresh timestamp (the timestamp is signed)', () => {
    const replay = { ...request, timestamp: String(pinned + 3600) };
    expect(verifySlackSignature(docs.signing_secret, replay, pinned + 3600)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a replay of the untouched request once it is older than five minutes', () => {
    expect(verifySlackSignature(docs.signing_secret, request, pinned + 600)).toEqual({ ok: false, reason: 'stale' });
  });
});
