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

const countOf = (entry: KvEntry | null): number => (entry?.operation === 'PUT' ? Number(entry.string()) || 0 : 0);

/** One key per consumer and message: another service's interruption of the same message is not ours. */
const keyOf = (m: JsMsg, durable: string): string => `${m.info.stream}.${durable}.${m.info.streamSequence}`;

/**
 * How many deliveries of each message were interrupted by a shutdown, so that they can be left
 * out of its delivery count: JetStream's `redeliveryCount` counts every delivery and cannot be
 * told otherwise. Kept in a KV bucket and written before the nak, so the redelivery reads it on
 * any replica, after any restart. The bucket is created on the first interruption (a service
 * never interrupted never has one). When it cannot be reached the delivery is simply counted:
 * a message is never lost or held up for the sake of its count.
 */
export class InterruptionLedger {
  private bucket?: Promise<KV>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly name: string,
    private readonly logger: LoggerService,
  ) {}

  /** Interrupted deliveries of `m` to `durable` so far (0 on a first delivery, without asking the bucket). */
  async count(m: JsMsg, durable: string): Promise<number> {
    if (m.info.redeliveryCount <= 1) return 0;
    try {
      const kv = await this.js.views.kv(this.name, { bindOnly: true });
      return countOf(await kv.get(keyOf(m, durable)));
    } catch (error) {
      this.logger.warn(`cannot read interruptions of ${keyOf(m, durable)} (${(error as Error).message}); counting every delivery`);
      return 0;
    }
  }

  /** Adds this delivery; false (logged) if it could not, and the delivery will be counted after all. */
  async record(m: JsMsg, durable: string): Promise<boolean> {
    const key = keyOf(m, durable);
    try {
      const kv = await this.open();
      for (let attempt = 1; ; attempt++) {
        const entry = await kv.get(key);
        try {
          if (entry?.operation === 'PUT') await kv.update(key, codec.encode(String(countOf(entry) + 1)), entry.revision);
          else await kv.create(key, codec.encode('1'));
          return true;
        } catch (error) {
          // Another writer between our read and write (an earlier hand-back of the same message): read again.
          if (attempt >= 3 || !/wrong last sequence/i.test((error as Error).message)) throw error;
        }
      }
    } catch (error) {
      this.bucket = undefined;
      this.logger.warn(`cannot record the interruption of ${key} (${(error as Error).message}); this delivery will count toward maxDeliver`);
      return false;
    }
  }

  /** Drops the count of a message that reached its end (best effort: the bucket's TTL removes it anyway). */
  async forget(m: JsMsg, durable: string): Promise<void> {
    try {
      await (await this.js.views.kv(this.name, { bindOnly: true })).delete(keyOf(m, durable));
    } catch {
      // expires with the TTL
    }
  }

  private open(): Promise<KV> {
    this.bucket ??= this.js.views.kv(this.name, { history: 1, ttl: TTL_MS });
    return this.bucket;
  }
}
