import { LoggerService } from '@nestjs/common';
import { JetStreamClient, JsMsg, KV, KvEntry, StringCodec } from 'nats';

const codec = StringCodec();

/**
 * Interrupted deliveries forgiven per message. Beyond, an interruption counts like a failure:
 * a message interrupted this often is interrupted by something other than deploys (a handler
 * that throws `Interrupted` for other reasons), and must still reach an end.
 */
export const INTERRUPTIONS_FORGIVEN = 100;

/** A count outlives the message it is about: the longest stream max_age (the DLQ's 30 days). */
const TTL_MS = 30 * 24 * 3600 * 1000;

/** Why a delivery did not count: a shutdown (`Interrupted`), or the message was put off (`RetryLater`, its build's turn, an unknown subject). */
export type Uncounted = 'interrupted' | 'deferred';

export interface UncountedCounts {
  interrupted: number;
  deferred: number;
}

const NONE: UncountedCounts = { interrupted: 0, deferred: 0 };

/**
 * Stored as `{"i":…,"d":…,"t":<the message's timestamp>}`; a plain number is an older entry
 * (interruptions only). An entry whose timestamp is not the message's belongs to an earlier
 * stream that reused the sequence number (the stream was deleted and re-created): ignored.
 */
function countsOf(entry: KvEntry | null, m: JsMsg): UncountedCounts {
  if (entry?.operation !== 'PUT') return NONE;
  const text = entry.string();
  if (/^\d+$/.test(text)) return { interrupted: Number(text), deferred: 0 };
  try {
    const value = JSON.parse(text) as { i?: number; d?: number; t?: number };
    if (value.t !== undefined && value.t !== m.info.timestampNanos) return NONE;
    return { interrupted: value.i ?? 0, deferred: value.d ?? 0 };
  } catch {
    return NONE;
  }
}

const encode = (counts: UncountedCounts, m: JsMsg) =>
  codec.encode(JSON.stringify({ i: counts.interrupted, d: counts.deferred, t: m.info.timestampNanos }));

/** One key per consumer and message: another service's interruption of the same message is not ours. */
const keyOf = (m: JsMsg, durable: string): string => `${m.info.stream}.${durable}.${m.info.streamSequence}`;

/**
 * How many deliveries of each message did not count — interrupted by a shutdown, or put off on
 * purpose — so that they can be left out of its delivery count: JetStream's `redeliveryCount`
 * counts every delivery and cannot be told otherwise. Kept in a KV bucket and written before the
 * nak, so the redelivery reads it on any replica, after any restart. The bucket is created on the
 * first such delivery. When it cannot be reached the delivery is simply counted: a message is
 * never lost or held up for the sake of its count.
 */
export class UncountedDeliveries {
  private bucket?: Promise<KV>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly name: string,
    private readonly logger: LoggerService,
    private readonly replicas = 1,
  ) {}

  /** Uncounted deliveries of `m` to `durable` so far (none on a first delivery, without asking the bucket). */
  async count(m: JsMsg, durable: string): Promise<UncountedCounts> {
    if (m.info.redeliveryCount <= 1) return NONE;
    try {
      return countsOf(await (await this.bound()).get(keyOf(m, durable)), m);
    } catch (error) {
      this.bucket = undefined;
      if (/stream not found/i.test((error as Error).message)) return NONE; // nothing was ever put off
      this.logger.warn(
        `cannot read the uncounted deliveries of ${keyOf(m, durable)} (${(error as Error).message}); counting every delivery`,
      );
      return NONE;
    }
  }

  /** Adds this delivery; false (logged) if it could not, and the delivery will be counted after all. */
  async record(m: JsMsg, durable: string, why: Uncounted): Promise<boolean> {
    const key = keyOf(m, durable);
    try {
      const kv = await this.open();
      for (let attempt = 1; ; attempt++) {
        const entry = await kv.get(key);
        const counts = { ...countsOf(entry, m) };
        counts[why]++;
        try {
          if (entry?.operation === 'PUT') await kv.update(key, encode(counts, m), entry.revision);
          else await kv.create(key, encode(counts, m));
          return true;
        } catch (error) {
          // Another writer between our read and write (an earlier hand-back of the same message): read again.
          if (attempt >= 3 || !/wrong last sequence|key exists/i.test((error as Error).message)) throw error;
        }
      }
    } catch (error) {
      this.bucket = undefined;
      this.logger.warn(
        `cannot record the ${why} delivery of ${key} (${(error as Error).message}); this delivery will count toward maxDeliver`,
      );
      return false;
    }
  }

  /** Drops the counts of a message that reached its end (best effort: the bucket's TTL removes them anyway). */
  async forget(m: JsMsg, durable: string): Promise<void> {
    try {
      await (await this.bound()).delete(keyOf(m, durable));
    } catch {
      // expires with the TTL
    }
  }

  /** The bucket if it exists (no creation: reading a count must not create it). */
  private bound(): Promise<KV> {
    if (this.bucket) return this.bucket;
    const binding = this.js.views.kv(this.name, { bindOnly: true });
    binding.then(
      (kv) => (this.bucket ??= Promise.resolve(kv)),
      () => undefined,
    );
    return binding;
  }

  private open(): Promise<KV> {
    this.bucket ??= this.js.views.kv(this.name, { history: 1, ttl: TTL_MS, replicas: this.replicas });
    return this.bucket;
  }
}
