import { quote } from '../http/quote';
import { InteractionParse, parseInteractionPayload } from '../slack/interaction-parser';
import { readSlashRequest, SlashRequestRead } from '../slash-commands/slash-request';

/**
 * One Socket Mode envelope as the client hands it over: its `type` and its `payload` (the very
 * object Slack would have sent over HTTP: an interaction payload, a slash command's fields, an
 * Events API callback), already authenticated by the connection the app token opened.
 */
export interface SocketEnvelope {
  envelopeId: string;
  type: string;
  payload: unknown;
  /** Slack's retry count for an `events_api` envelope it did not see acknowledged. */
  retryAttempt?: number;
}

/** Which handler an envelope goes to. */
export type EnvelopeRoute =
  | { kind: 'interaction'; parse: InteractionParse }
  | { kind: 'slash-command'; read: SlashRequestRead }
  | { kind: 'event'; eventType: string }
  | { kind: 'ignored'; reason: string };

/**
 * Maps an envelope to the handler of the HTTP route that carries the same payload:
 * `interactive` → the interactions' parser (then SlackInteractions), `slash_commands` → the slash
 * request reader (then SlashCommands), `events_api` → an event (SlackEvents: the App Home; every event is
 * acknowledged so Slack does not redeliver it). Pure; never throws.
 */
export function routeEnvelope(envelope: Pick<SocketEnvelope, 'type' | 'payload'>): EnvelopeRoute {
  switch (envelope.type) {
    case 'interactive':
      return { kind: 'interaction', parse: parseInteractionPayload(envelope.payload) };
    case 'slash_commands':
      if (!isRecord(envelope.payload))
        return { kind: 'slash-command', read: { ok: false, message: 'expected the command fields as an object' } };
      return { kind: 'slash-command', read: readSlashRequest(envelope.payload) };
    case 'events_api': {
      const event = isRecord(envelope.payload) ? envelope.payload.event : undefined;
      const eventType = isRecord(event) && typeof event.type === 'string' ? event.type : undefined;
      if (eventType === undefined) return { kind: 'ignored', reason: 'an events_api envelope without payload.event.type' };
      return { kind: 'event', eventType };
    }
    default:
      return { kind: 'ignored', reason: `envelope type ${quote(envelope.type)} (expected interactive, slash_commands or events_api)` };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
