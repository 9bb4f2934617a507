import { signedInteraction } from '../e2e/support/slack-click';
import { CI_TOKEN, SIGNING_SECRET } from '../e2e/support/stack';
import type { SlackActionId } from '@app/contracts';

/** An HTTP answer; status 0 when there was none (refused, reset, timed out). */
export interface Answer {
  status: number;
  body: any;
  error?: string;
}

/**
 * CI and Slack as the gateway sees them: CI's POST /build-complete with the bearer token, a
 * signed `block_actions` click, and the status query. Never throws: a gateway that is down,
 * paused or slow is an answer with status 0 the driver retries on.
 */
export class GatewayClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  buildComplete(form: { project: string; image: string; type: string; target: string }, idempotencyKey: string): Promise<Answer> {
    return this.send('/build-complete', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${CI_TOKEN}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': idempotencyKey,
      },
      body: new URLSearchParams(form).toString(),
    });
  }

  click(input: { user: string; actionId: SlackActionId; buildId: string; channel: string; messageTs: string }): Promise<Answer> {
    const { body, headers } = signedInteraction({ ...input, signingSecret: SIGNING_SECRET });
    return this.send('/slack/interactions', { method: 'POST', headers, body });
  }

  getBuild(id: string): Promise<Answer> {
    return this.send(`/v1/builds/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${CI_TOKEN}` } });
  }

  private async send(path: string, init: RequestInit): Promise<Answer> {
    try {
      const res = await fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      let body: unknown = text || undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body };
    } catch (error) {
      return { status: 0, body: undefined, error: (error as Error).message };
    }
  }
}
