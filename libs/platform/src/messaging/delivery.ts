import type { JsMsg } from 'nats';
import type { Versioned } from './build-order';

/** A received message, read once: its JSON body, its place in a build's stream, its ordering key. */
export interface Parsed {
  /** The payload, when it is JSON. */
  body?: unknown;
  notJson?: true;
  /** Domain events (version ≥ 1) only: inputs carry version 0 and are decided against state. */
  event?: Versioned;
  /** Messages with the same key are handled one after another in this process. */
  key: string;
}

export function parse(m: JsMsg): Parsed {
  let body: unknown;
  try {
    body = m.json();
  } catch {
    return { key: m.subject, notJson: true };
  }
  const { streamId, version, correlationId } = (body ?? {}) as { streamId?: unknown; version?: unknown; correlationId?: unknown };
  const event =
    typeof streamId === 'string' && streamId && typeof version === 'number' && Number.isInteger(version) && version >= 1
      ? { streamId, version }
      : undefined;
  const key = event ? event.streamId : typeof correlationId === 'string' ? correlationId : m.subject;
  return { body, event, key };
}

/** How long ago the message was stored in its stream. */
export const ageMs = (m: JsMsg): number => Date.now() - m.info.timestampNanos / 1e6;

/**
 * When a message waiting for its build's previous one comes back: soon at first (the previous
 * one is usually being handled elsewhere), then less often (it waits out a backoff or a RetryLater).
 */
const WAIT_DELAYS_MS = [250, 1_000, 2_000, 5_000, 10_000, 30_000];
export const waitDelayMs = (timesPutOff: number): number => WAIT_DELAYS_MS[Math.min(timesPutOff, WAIT_DELAYS_MS.length - 1)];

/** `24 h`, `45 min`, `30 s`, `400 ms`: durations in log lines and dead-letter reasons. */
export function humanDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
