import { SlackUserId } from '@app/contracts';

/** What an Events API body (over HTTP, or a Socket Mode `events_api` payload) asks of the gateway. */
export type SlackEventRead =
  | { kind: 'url-verification'; challenge: string }
  | { kind: 'home-opened'; user: string }
  | { kind: 'ignored'; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads an Events API body (pure; never throws): Slack's `url_verification` (answered with its
 * challenge), a person opening the app's Home tab (`app_home_opened` with `tab: home` — the
 * Messages tab fires the same event and needs nothing), or something the gateway acks and ignores:
 * any other event, or a body it cannot read — Slack would only send it again.
 */
export function readSlackEvent(body: unknown): SlackEventRead {
  if (!isRecord(body)) return { kind: 'ignored', reason: 'the body is not a JSON object' };
  if (body.type === 'url_verification') {
    return typeof body.challenge === 'string' && body.challenge.length > 0 && body.challenge.length <= 200
      ? { kind: 'url-verification', challenge: body.challenge }
      : { kind: 'ignored', reason: 'a url_verification without a challenge' };
  }
  if (body.type !== 'event_callback' || !isRecord(body.event)) return { kind: 'ignored', reason: `body type ${String(body.type)}` };
  const { type, user, tab } = body.event;
  if (type !== 'app_home_opened') return { kind: 'ignored', reason: `event ${String(type)}` };
  if (tab !== 'home') return { kind: 'ignored', reason: `app_home_opened on the ${String(tab)} tab` };
  const person = SlackUserId.safeParse(user);
  return person.success ? { kind: 'home-opened', user: person.data } : { kind: 'ignored', reason: 'app_home_opened without a user id' };
}
