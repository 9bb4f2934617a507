import type { z } from 'zod';
import type { StreamName } from '@app/contracts';

/** How a service consumes one JetStream stream. */
export interface ConsumerSpec {
  stream: StreamName;
  /**
   * Durable consumer name; replicas of one service share it. Default `<service>-<stream>`, or
   * `<service>-<filter>` for a filtered consumer (`approvals-dlq-deployer` for `dlq.deployer.>`).
   */
  durable?: string;
  /**
   * Only the subjects matching this one, relative to the prefix (wildcards allowed), e.g.
   * `dlq.deployer.>`. A single subject: nats-server 2.9 accepts one `filter_subject` per
   * consumer (the client refuses `filter_subjects` with "requires server 2.10.0").
   * A filtered consumer asked for exactly these messages, so one it has no handler for is not
   * acked as "another service's message": it is terminated with an error log and a metric,
   * and stays in the stream for an operator.
   */
  filterSubject?: string;
}

export interface JetStreamOptions {
  servers: string[];
  /** Subject prefix and stream-name prefix; isolates deployments (and tests) on one NATS. */
  prefix: string;
  /** The consuming service: durable names, queue group of queries, dead-letter subjects. */
  service: string;
  consumers?: ConsumerSpec[];
  /**
   * Schemas by relative subject; a message that does not match goes to the dead-letter subject.
   * A dead letter (`dlq.<service>.<subject>`) is checked against the schema of `<subject>`.
   */
  schemas?: Record<string, z.ZodType>;
  /**
   * Counted deliveries before a failing message is dead-lettered (default 5). A delivery whose
   * handler threw `Interrupted` (the service was shutting down) is not counted.
   */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failure; the last value repeats (default 1 s, 5 s, 15 s, 30 s). */
  backoffMs?: number[];
  /** How long the server waits for an ack before redelivering; in-progress work keeps extending it. */
  ackWaitMs?: number;
  /** Messages handled at once per service instance (same correlation id: one after another). */
  concurrency?: number;
  /** Timeout of every publish and request. */
  timeoutMs?: number;
  /**
   * On close, how long in-flight handlers may run on before their shutdown signal is aborted
   * (services: SHUTDOWN_GRACE_SECONDS).
   */
  shutdownTimeoutMs?: number;
  /** Once the shutdown signal is aborted, how long handlers get to throw `Interrupted` and be handed back. */
  interruptTimeoutMs?: number;
}

export const DEFAULTS = {
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000],
  ackWaitMs: 30_000,
  concurrency: 16,
  timeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
  interruptTimeoutMs: 2_000,
};

/** `deploybot` + `input.build-completed` → `deploybot.input.build-completed`. */
export const absoluteSubject = (prefix: string, subject: string): string => `${prefix}.${subject}`;

const namePrefix = (prefix: string): string => prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');

/** Stream names are prefixed too, so deployments and test runs never share a stream. */
export const streamName = (prefix: string, stream: StreamName): string => `${namePrefix(prefix)}_${stream}`;

/**
 * The KV bucket that counts interrupted deliveries, one per prefix like the streams
 * (its stream is `KV_<bucket>`). Renaming it forgets the counts of messages in flight.
 */
export const interruptionsBucket = (prefix: string): string => `${namePrefix(prefix)}_INTERRUPTIONS`;
