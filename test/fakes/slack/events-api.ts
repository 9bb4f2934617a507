import { createHmac } from 'node:crypto';
import { BOT } from './workspace';

/** Slack waits this long for the app to answer an Events API request, then counts a failure and retries. */
export const EVENT_ACK_TIMEOUT_MS = 3_000;

/** An Events API delivery over HTTP: where, signed with what, and (for tests of the check) a wrong signature. */
export interface EventDeliveryInput {
  url: string;
  signingSecret: string;
  badSignature?: boolean;
}

/** What came of an HTTP delivery: the app's status and body, or why none (Slack's timeout, no server). */
export interface EventDeliveryResult {
  status?: number;
  body?: string;
  tookMs: number;
  failure?: string;
}

/** The `event_callback` wrapper Slack sends an event in (over HTTP, and as a Socket Mode `events_api` payload). */
export function eventCallback(event: Record<string, unknown>): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: BOT.teamId,
    api_app_id: BOT.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)}`,
    event_time: Math.floor(Date.now() / 1000),
  };
}

/** `app_home_opened` as Slack sends it when a person opens the app's Home tab. */
export function appHomeOpened(user: string, tab: 'home' | 'messages' = 'home'): Record<string, unknown> {
  return { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab, event_ts: `${Date.now() / 1000}` };
}

/** The `url_verification` request Slack sends when the Request URL is saved in the app's settings. */
export function urlVerification(challenge: string): Record<string, unknown> {
  return { token: 'legacy-verification-token', challenge, type: 'url_verification' };
}

/** Posts an Events API body to the app as Slack does: JSON, signed, waiting at most 3 s. */
export async function sendEvent(body: Record<string, unknown>, input: EventDeliveryInput): Promise<EventDeliveryResult> {
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = input.badSignature ? `${input.signingSecret}-wrong` : input.signingSecret;
  const headers = {
    'Content-Type': 'application/json',
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${text}`).digest('hex')}`,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  const started = Date.now();
  try {
    const response = await fetch(input.url, { method: 'POST', body: text, headers, signal: AbortSignal.timeout(EVENT_ACK_TIMEOUT_MS) });
    return { status: response.status, body: await response.text(), tookMs: Date.now() - started };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return { tookMs: Date.now() - started, failure: timedOut ? 'operation_timeout' : `unreachable: ${(error as Error).message}` };
  }
}
