import { AckPolicy, DeliverPolicy, JetStreamManager, NatsError, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import { Streams, StreamName } from '@app/contracts';
import { absoluteSubject, streamName } from './jetstream.options';

const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9; // dedup of Nats-Msg-Id: CI retries and relay replays land within 10 min

export const isNotFound = (error: unknown) =>
  error instanceof NatsError &&
  (error.api_error?.err_code === 10059 || error.api_error?.err_code === 10014 || /not found/i.test(error.message));

/**
 * Creates the stream, or updates its subjects, dedup window and replicas; safe to run from every
 * replica at every start, and again whenever a consumer finds its stream gone.
 * Replicas above 1 need a clustered JetStream (the server refuses them otherwise, and says so).
 */
export async function ensureStream(jsm: JetStreamManager, prefix: string, stream: StreamName, replicas = 1): Promise<string> {
  const name = streamName(prefix, stream);
  const subjects = Streams[stream].map((s) => absoluteSubject(prefix, s));
  const wanted: Partial<StreamConfig> = {
    name,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_NS,
    max_age: (stream === 'DLQ' ? 30 : 7) * 24 * 3600 * 1e9,
    num_replicas: replicas,
  };
  try {
    const info = await jsm.streams.info(name);
    const same =
      info.config.subjects?.join() === subjects.join() &&
      info.config.duplicate_window === DUPLICATE_WINDOW_NS &&
      info.config.num_replicas === replicas;
    if (!same) await jsm.streams.update(name, { ...info.config, subjects, duplicate_window: DUPLICATE_WINDOW_NS, num_replicas: replicas });
  } catch (error) {
    if (!isNotFound(error)) throw withContext(error, `stream ${name} (${replicas} replica${replicas === 1 ? '' : 's'})`);
    try {
      await jsm.streams.add(wanted);
    } catch (addError) {
      // Another replica created it between our info and add.
      if (!/already in use|exists/i.test((addError as Error).message))
        throw withContext(addError, `stream ${name} (${replicas} replica${replicas === 1 ? '' : 's'})`);
    }
  }
  return name;
}

/**
 * Creates or updates a durable pull consumer with explicit acks (and its filter, if any).
 *
 * No `max_deliver`: the transport ends every message itself — it checks the count before the
 * handler runs, leaving out deliveries that do not count (interrupted, put off by `RetryLater`,
 * waiting for their build's turn), and a message that crashes the process every time is counted
 * and dead-lettered like any other. A server-side bound would instead stop delivering a message
 * with no trace, leave it unacked for ever, and hold the consumer's ack floor (which per-build
 * order relies on) below it.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  opts: { ackWaitMs: number; maxAckPending: number; filterSubject?: string },
): Promise<void> {
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: opts.ackWaitMs * 1e6,
    max_deliver: -1,
    max_ack_pending: opts.maxAckPending,
    ...(opts.filterSubject ? { filter_subject: opts.filterSubject } : {}),
  };
  try {
    await jsm.consumers.info(stream, durable);
    await jsm.consumers.update(stream, durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
      ...(opts.filterSubject ? { filter_subject: opts.filterSubject } : {}),
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.consumers.add(stream, config);
    } catch (addError) {
      if (!/already exists|in use/i.test((addError as Error).message)) throw addError;
    }
  }
}

function withContext(error: unknown, what: string): Error {
  const message = (error as Error)?.message ?? String(error);
  return new Error(
    `cannot set up JetStream ${what}: ${message}${/replicas|cluster/i.test(message) ? ' (NATS_STREAM_REPLICAS above 1 needs a clustered JetStream)' : ''}`,
    { cause: error },
  );
}
