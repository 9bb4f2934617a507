import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Slack fixtures copied from shared/fixtures/slack (see test/fixtures/slack/README.md). */
const root = join(process.cwd(), 'apps/gateway/test/fixtures/slack');

export const slackFixture = (path: string): string => readFileSync(join(root, path), 'utf8');

export interface SigningVector {
  id: string;
  signing_secret: string;
  timestamp: string;
  body: string;
  expected_signature: string;
  negative_cases?: { signing_secret?: string; body?: string; 'X-Slack-Signature'?: string; expect: string }[];
}

export const signingVectors = (): SigningVector[] =>
  (JSON.parse(slackFixture('signing/signing-vectors.json')) as { vectors: SigningVector[] }).vectors;

/** A payload fixture (JSON) as Slack sends it: `payload=<url-encoded JSON>` with form semantics. */
export const asFormBody = (payload: unknown): string => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
