import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to deliver requests older than this, and so do we (replay protection). */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

/** What a signed Slack request carries. Header values as Node gives them (undefined when absent). */
export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer | string;
}

export type SignatureRefusal = 'missing-headers' | 'malformed-timestamp' | 'stale' | 'mismatch';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureRefusal };

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * Verifies Slack's request signature (v0): the timestamp lies within five minutes of
 * `nowSeconds` and the signature matches the exact bytes received, compared in constant time.
 */
export function verifySlackSignature(signingSecret: string, request: SignedRequest, nowSeconds: number): SignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed-timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  // Every signature has the same, public length; only the bytes are compared in constant time.
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** What a refusal means, for the log line and the 401 answer (never the secret or the signature). */
export function describeSignatureRefusal(reason: SignatureRefusal): string {
  switch (reason) {
    case 'missing-headers':
      return 'X-Slack-Signature and X-Slack-Request-Timestamp are required';
    case 'malformed-timestamp':
      return 'X-Slack-Request-Timestamp must be Unix seconds';
    case 'stale':
      return `X-Slack-Request-Timestamp is more than ${SLACK_MAX_AGE_SECONDS / 60} minutes away from now`;
    case 'mismatch':
      return 'X-Slack-Signature does not match the body';
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
}
