import type { z } from 'zod';
import type { StreamName } from '@app/contracts';

/** How a service consumes one JetStream stream. */
export interface ConsumerSpec {
  stream: StreamName;
  /** Durable consumer name; replicas of one service share it. Default `<service>-<stream>`. */
  durable?: string;
}

export interface JetStreamOptions {
  servers: string[];
  /** Subject prefix and stream-name prefix; isolates deployments (and tests) on one NATS. */
  prefix: string;
  /** The consuming service: durable names, queue group of queries, dead-letter subjects. */
  service: string;
  consumers?: ConsumerSpec[];
  /** Schemas by relative subject; a message that does not match goes to the dead-letter subject. */
  schemas?: Record<string, z.ZodType>;
  /** Deliveries before a failing message is dead-lettered (default 5). */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failure; the last value repeats (default 1 s, 5 s, 15 s, 30 s). */
  backoffMs?: number[];
  /** How long the server waits for an ack before redelivering; in-progress work keeps extending it. */
  ackWaitMs?: number;
  /** Messages handled at once per service instance (same correlation id: one after another). */
  concurrency?: number;
  /** Timeout of every publish and request. */
  timeoutMs?: number;
  /** How long shutdown waits for in-flight handlers before leaving them to redelivery. */
  shutdownTimeoutMs?: number;
}

export const DEFAULTS = {
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000],
  ackWaitMs: 30_000,
  concurrency: 16,
  timeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
};

/** `deploybot` + `input.build-completed` → `deploybot.input.build-completed`. */
export const absoluteSubject = (prefix: string, subject: string): string => `${prefix}.${subject}`;

/** Stream names are prefixed too, so deployments and test runs never share a stream. */
export const streamName = (prefix: string, stream: StreamName): string =>
  `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_${stream}`;
