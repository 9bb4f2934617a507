import type { z } from 'zod';
import type { StreamName } from '@app/contracts';
import type { NatsAuth } from './nats-connection';

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
  /** Credentials and TLS for the connection (NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, NATS_TOKEN, NATS_TLS_*). */
  auth?: NatsAuth;
  /**
   * Replicas of the streams and key-value buckets this transport creates (NATS_STREAM_REPLICAS):
   * 1 on a single server, 3 on a cluster. An existing stream is updated to it.
   */
  streamReplicas?: number;
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
  /**
   * How long a message may be put off with `RetryLater` (its age: since it was stored), default 24 h
   * (RETRY_LATER_MAX_AGE_SECONDS). Past it, a `RetryLater` counts as an ordinary failure.
   */
  retryLaterMaxAgeMs?: number;
  /** The delay of a `RetryLater` that names none. */
  retryLaterDelayMs?: number;
  /**
   * How long a message on a subject this version does not know is left for a replica that knows it
   * (a newer version during a rolling upgrade) before it is dead-lettered with that reason (default 1 h).
   */
  unknownSubjectMaxAgeMs?: number;
  /** How often such a message comes back meanwhile (default 30 s). */
  unknownSubjectRetryMs?: number;
  /**
   * How long a domain event whose predecessor (version − 1) is unfinished is held in this process
   * before it is handed back, uncounted, for a later delivery (default 2 s).
   */
  orderHoldMs?: number;
  /** How often each consumer is checked to exist (a deleted one is re-created), default 5 s. */
  probeMs?: number;
}

export const DEFAULTS = {
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000],
  ackWaitMs: 30_000,
  concurrency: 16,
  timeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
  interruptTimeoutMs: 2_000,
  streamReplicas: 1,
  retryLaterMaxAgeMs: 24 * 3600 * 1000,
  retryLaterDelayMs: 30_000,
  unknownSubjectMaxAgeMs: 3600 * 1000,
  unknownSubjectRetryMs: 30_000,
  orderHoldMs: 2_000,
  probeMs: 5_000,
};

/** `deploybot` + `input.build-completed` → `deploybot.input.build-completed`. */
export const absoluteSubject = (prefix: string, subject: string): string => `${prefix}.${subject}`;

const namePrefix = (prefix: string): string => prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');

/** Stream names are prefixed too, so deployments and test runs never share a stream. */
export const streamName = (prefix: string, stream: StreamName): string => `${namePrefix(prefix)}_${stream}`;

/**
 * The KV bucket that counts the deliveries that do not count (interrupted by a shutdown, put off
 * by `RetryLater` or to wait for the build's turn), one per prefix like the streams (its stream is
 * `KV_<bucket>`; the name predates the put-off counts). Renaming it forgets the counts of messages in flight.
 */
export const interruptionsBucket = (prefix: string): string => `${namePrefix(prefix)}_INTERRUPTIONS`;

/**
 * The KV bucket of per-build order: per consumer and build, the highest version it finished
 * (`<stream>.<durable>.<streamId>`). Renaming it makes every build's next message wait for its
 * consumer's ack floor once (correct, only slower).
 */
export const buildOrderBucket = (prefix: string): string => `${namePrefix(prefix)}_BUILD_ORDER`;
