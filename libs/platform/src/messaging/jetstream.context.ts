import { BaseRpcContext } from '@nestjs/microservices';
import type { MsgHdrs } from 'nats';

type JetStreamContextArgs = [
  subject: string,
  deliveryCount: number,
  streamSequence: number,
  headers: MsgHdrs | undefined,
  shutdown: AbortSignal,
];

/** What a handler may want to know about the message it is handling (`@Ctx()`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  /** The subject relative to the prefix, e.g. `input.qa-verdict` or `dlq.deployer.build.closed`. */
  getSubject(): string {
    return this.args[0];
  }

  /** 1 on the first delivery; deliveries interrupted by a shutdown are not counted. */
  getDeliveryCount(): number {
    return this.args[1];
  }

  getStreamSequence(): number {
    return this.args[2];
  }

  /** A header of the message, e.g. `DeadLetterHeaders.Reason` on a dead letter; undefined when absent. */
  getHeader(name: string): string | undefined {
    return this.args[3]?.get(name) || undefined;
  }

  /**
   * Aborted when the service is shutting down and the grace period for in-flight work
   * (SHUTDOWN_GRACE_SECONDS) is over; until then a handler simply runs on. Pass it to whatever
   * waits (a rollout watch, a sleep, fetch) and let it end the handler: its reason is an
   * `Interrupted`, so `signal.throwIfAborted()` and abortable APIs that reject with the reason
   * already throw what the transport expects. Work that keeps running after the signal, for
   * longer than `interruptTimeoutMs` (2 s), is abandoned and its delivery counted.
   */
  getShutdownSignal(): AbortSignal {
    return this.args[4];
  }
}

/** A handler error that retrying cannot fix: the message goes to the dead-letter subject at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * A handler stopped because the service is shutting down (its shutdown signal aborted). The
 * message is handed back at once, with no backoff, and this delivery never counts toward
 * `maxDeliver` — on any replica, after any restart. Throw it only for a shutdown: the transport
 * believes it (up to 100 times per message; beyond that an interruption counts like a failure).
 */
export class Interrupted extends Error {
  constructor(message = 'interrupted: the service is shutting down', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Interrupted';
  }
}

/**
 * A handler error that means "not now, try again later" — not a failure: the dependency is down
 * (Slack outage), the work is not due yet. The transport naks the message with `delayMs` (default
 * 30 s), the delivery does not count toward `maxDeliver`, and later messages of the same build wait
 * behind it (their order is kept). This goes on until the message is older than the consumer's
 * `retryLaterMaxAgeMs` (default 24 h); from then on a RetryLater counts as an ordinary failure, so
 * the message still reaches an end (dead letter with the reason).
 */
export class RetryLater extends Error {
  readonly delayMs?: number;

  constructor(reason: string, options?: { delayMs?: number; cause?: unknown }) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryLater';
    this.delayMs = options?.delayMs;
  }
}

/** `Interrupted`, or an error caused by it (an AbortError from an API given the shutdown signal). */
export const isInterruption = (error: unknown): boolean =>
  error instanceof Interrupted || (error instanceof Error && error.cause instanceof Interrupted);
