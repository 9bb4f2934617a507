import { DeadLetterHeaders } from '../messaging/dead-letters';

/** A message as JetStream stores it, reduced to what reading a dead letter needs. */
export interface StoredMessage {
  seq: number;
  subject: string;
  time: Date;
  data: Uint8Array;
  header?: { get(name: string): string };
}

/** One message in the DLQ stream, read for an operator. */
export interface DeadLetter {
  /** Its sequence in `<PREFIX>_DLQ`: what `show`, `replay` and `drop` take. */
  seq: number;
  /** The service that gave it up. */
  service: string;
  /** The subject it was published on, relative to the prefix (`build.closed`). */
  subject: string;
  /** The subject it is stored under in the DLQ, prefix included. */
  dlqSubject: string;
  reason: string;
  deliveries?: number;
  /** When it was dead-lettered (stored in the DLQ). */
  deadLetteredAt: Date;
  /** The envelope's `correlationId`: the build (or the CI request before a build exists). */
  buildId?: string;
  /** The envelope's `id`, which the services' own idempotency is keyed by. */
  eventId?: string;
  eventType?: string;
  /** `<service>:<stream>:<seq>` of the original message, as the transport set it. */
  messageId?: string;
  headers: Record<string, string>;
  /** The payload as JSON, or its text when it is not JSON (an invalid payload dead-lettered as is). */
  payload: unknown;
  data: Uint8Array;
}

/** What `list`, `replay --all` and `drop --all` select: one service, one original subject (wildcards allowed), or both. */
export interface DeadLetterSelection {
  service?: string;
  subject?: string;
}

const text = new TextDecoder();

/**
 * The DLQ subject filter of a selection: `<prefix>.dlq.<service|*>.<subject|>>`.
 * A service or subject that is not made of subject tokens is refused (it would match nothing, or too much).
 */
export function deadLetterFilter(prefix: string, selection: DeadLetterSelection = {}): string {
  if (selection.service !== undefined && !/^[A-Za-z0-9_-]+$/.test(selection.service)) {
    throw new Error(`service "${selection.service}" is not a service name (expected e.g. deployer, notifier, approvals)`);
  }
  if (selection.subject !== undefined && !/^([A-Za-z0-9_-]+|\*)(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/.test(selection.subject)) {
    throw new Error(
      `subject "${selection.subject}" is not a subject relative to the prefix (expected e.g. build.closed, build.*, input.>)`,
    );
  }
  return `${prefix}.dlq.${selection.service ?? '*'}.${selection.subject ?? '>'}`;
}

/** Reads a stored DLQ message; undefined when the message is not a dead letter of this prefix. */
export function toDeadLetter(prefix: string, stored: StoredMessage): DeadLetter | undefined {
  const match = new RegExp(`^${escape(prefix)}\\.dlq\\.([^.]+)\\.(.+)$`).exec(stored.subject);
  if (!match) return undefined;
  const headers = headersOf(stored);
  const payload = parse(stored.data);
  const envelope = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const deliveries = Number(headers[DeadLetterHeaders.Deliveries]);
  return {
    seq: stored.seq,
    service: headers[DeadLetterHeaders.Service] ?? match[1],
    subject: match[2],
    dlqSubject: stored.subject,
    reason: headers[DeadLetterHeaders.Reason] ?? 'no reason recorded',
    deliveries: Number.isFinite(deliveries) && headers[DeadLetterHeaders.Deliveries] ? deliveries : undefined,
    deadLetteredAt: stored.time,
    buildId: stringOrUndefined(envelope.correlationId),
    eventId: stringOrUndefined(envelope.id),
    eventType: stringOrUndefined(envelope.type),
    messageId: headers['Nats-Msg-Id'],
    headers,
    payload,
    data: stored.data,
  };
}

/** NATS subject matching: `*` is one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

function headersOf(stored: StoredMessage): Record<string, string> {
  const all: Record<string, string> = {};
  const h = stored.header as (StoredMessage['header'] & { keys?(): string[] }) | undefined;
  for (const key of h?.keys?.() ?? []) all[key] = h!.get(key);
  return all;
}

function parse(data: Uint8Array): unknown {
  const body = text.decode(data);
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
