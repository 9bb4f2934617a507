import { AckPolicy, DeliverPolicy, JetStreamManager, NatsError, RetentionPolicy, StorageType } from 'nats';
import { Streams, StreamName } from '@app/contracts';
import { INTERRUPTIONS_FORGIVEN } from './interruption-ledger';
import { absoluteSubject, streamName } from './jetstream.options';

const DUPLICATE_WINDOW_NS = 10 * 60 * 1e9; // dedup of Nats-Msg-Id: CI retries and relay replays land within 10 min

const isNotFound = (error: unknown) =>
  error instanceof NatsError && (error.api_error?.err_code === 10059 || error.api_error?.err_code === 10014 || /not found/i.test(error.message));

/** Creates the stream, or updates its subjects and dedup window; safe to run from every replica at every start. */
export async function ensureStream(jsm: JetStreamManager, prefix: string, stream: StreamName): Promise<string> {
  const name = streamName(prefix, stream);
  const subjects = Streams[stream].map((s) => absoluteSubject(prefix, s));
  const wanted = {
    name,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_NS,
    max_age: (stream === 'DLQ' ? 30 : 7) * 24 * 3600 * 1e9,
  };
  try {
    const info = await jsm.streams.info(name);
    const same = info.config.subjects?.join() === subjects.join() && info.config.duplicate_window === DUPLICATE_WINDOW_NS;
    if (!same) await jsm.streams.update(name, { ...info.config, subjects, duplicate_window: DUPLICATE_WINDOW_NS });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(wanted);
    } catch (addError) {
      // Another replica created it between our info and add.
      if (!/already in use|exists/i.test((addError as Error).message)) throw addError;
    }
  }
  return name;
}

/** Creates or updates a durable pull consumer with explicit acks (and its filter, if any). */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  opts: { maxDeliver: number; ackWaitMs: number; maxAckPending: number; filterSubject?: string },
): Promise<void> {
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: opts.ackWaitMs * 1e6,
    // The transport ends every message itself (it checks the count before the handler runs), and
    // its count leaves out interrupted deliveries, which JetStream's cannot. The server's bound
    // only exists to stop a message that crashes the process every time before the transport
    // could check: it lies beyond the last delivery the transport may ask for (maxDeliver counted
    // ones, the forgiven interruptions, one to dead-letter and one retry of that).
    max_deliver: opts.maxDeliver + INTERRUPTIONS_FORGIVEN + 2,
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
