import { LoggerService } from '@nestjs/common';
import { JetStreamClient, JetStreamManager, JsMsg, KV, KvEntry, StringCodec } from 'nats';

const codec = StringCodec();

/** A record outlives a quiet build by a month; a build quiet for longer falls back to the consumer's ack floor. */
const TTL_MS = 30 * 24 * 3600 * 1000;
/** Records kept in memory per process (a lower bound of what the bucket holds; versions only grow). */
const CACHE_SIZE = 50_000;
/** One consumer-info request serves every message waiting on that consumer for this long. */
const ACK_FLOOR_TTL_MS = 100;
/** How long a message is held when others wait to be admitted behind it. */
const CROWDED_HOLD_MS = 50;

/**
 * Whether a message of a stream may take effect: now; never again (an earlier delivery did);
 * later (put it off: its predecessor is unfinished); or after a lower version that has just
 * arrived in this process (requeue it locally).
 */
export type Turn = 'now' | 'done' | 'later' | 'requeue';

/** The place of a domain event in its stream (`build-<id>`, versions 1, 2, 3 … with no gaps). */
export interface Versioned {
  streamId: string;
  version: number;
}

/** Where a consumer reads: its stream and durable name. */
export interface ConsumerRef {
  stream: string;
  durable: string;
}

interface Known {
  version: number;
  revision: number;
}

const versionOf = (entry: KvEntry | null): Known | undefined =>
  entry?.operation === 'PUT' ? { version: Number(codec.decode(entry.value)) || 0, revision: entry.revision } : undefined;

/** A KV key token for any stream id: itself when it is one already (`build-<uuid>`), else base64url. */
const token = (streamId: string): string => (/^[-\w=]+$/.test(streamId) ? streamId : `b64.${Buffer.from(streamId).toString('base64url')}`);

const sleep = (ms: number, wake: Promise<void>) => Promise.race([new Promise((r) => setTimeout(r, ms).unref()), wake]);

/**
 * Per-build order across failures and replicas. For each consumer and stream (`build-<id>`) a KV
 * record holds the highest version that consumer has finished with — handled and acked, acked
 * without a handler, dead-lettered: every end counts. Version v takes effect only once v − 1 is
 * finished, so a message that failed and waits for redelivery (or waits out a `RetryLater`) holds
 * its build's later messages back, on every replica, across restarts.
 *
 * When the record is behind (v − 1 not finished) there are two possibilities: v − 1 is still on its
 * way (being handled elsewhere, waiting for redelivery), or it never will come (the record expired,
 * the consumer is newer than the build's first events, a record write failed). Both are settled by
 * the consumer's ack floor: once every message stored before v has ended, v − 1 has too, whatever
 * the record says. Until then v waits (held for up to `holdMs`, then put off by the caller).
 *
 * Records only grow (compare-and-set on the entry's revision), so a stale read is never unsafe:
 * it can only make a message wait longer.
 */
export class BuildOrder {
  private kv?: Promise<KV>;
  private readonly known = new Map<string, Known>();
  private readonly floors = new Map<string, { at: number; floor: Promise<number> }>();
  private readonly holders = new Map<string, { version: number; wake: () => void; yielded: boolean }>();
  /** Per build, the lowest version this process handed back to JetStream, and when it comes back. */
  private readonly away = new Map<string, { version: number; until: number }>();
  private released = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
    private readonly logger: LoggerService,
    private readonly options: {
      replicas: number;
      holdMs: number;
      /** true while messages wait to be admitted behind held ones: holding then stalls every build, so give up soon. */
      crowded?: () => boolean;
    },
  ) {}

  /** Creates the bucket (or binds to it); a missing bucket is created again on the next use. */
  open(): Promise<KV> {
    this.kv ??= this.js.views.kv(this.bucket, { history: 1, ttl: TTL_MS, replicas: this.options.replicas, allow_direct: false });
    this.kv.catch(() => (this.kv = undefined));
    return this.kv;
  }

  /**
   * Whether `m` (version `event.version` of `event.streamId`) may take effect now. Holds it up to
   * `holdMs` while its predecessor is unfinished: `later` when that did not change (at once when
   * this process put the predecessor off for longer; or the transport stops), `requeue` when a lower
   * version of the same stream arrived in this process meanwhile and needs the place.
   */
  async turn(
    consumer: ConsumerRef,
    m: JsMsg,
    event: Versioned,
    pause: <T>(work: Promise<T>) => Promise<T> = (work) => work,
  ): Promise<Turn> {
    const key = this.keyOf(consumer, event.streamId);
    const cached = this.decide(this.known.get(key), event.version);
    if (cached) return cached;
    // An earlier version this process put off comes back too late to be worth holding for.
    const gone = this.away.get(key);
    if (gone && gone.version < event.version && gone.until - Date.now() > this.options.holdMs) return 'later';
    return pause(this.hold(key, consumer, m, event));
  }

  private async hold(key: string, consumer: ConsumerRef, m: JsMsg, event: Versioned): Promise<Turn> {
    let wake!: () => void;
    let woken = new Promise<void>((resolve) => (wake = resolve));
    const holder = { version: event.version, wake: () => wake(), yielded: false };
    this.holders.set(key, holder);
    try {
      const since = Date.now();
      const until = since + this.options.holdMs;
      for (let interval = 5; ; interval = Math.min(interval * 2, 250)) {
        const turn = this.decide(await this.read(key), event.version);
        if (turn) return turn;
        if (await this.earlierAllEnded(consumer, m.info.streamSequence)) return 'now';
        if (holder.yielded) return 'requeue';
        if (this.released || Date.now() + interval > until) return 'later';
        if (this.options.crowded?.() && Date.now() - since >= CROWDED_HOLD_MS) return 'later';
        await sleep(interval, woken);
        woken = new Promise<void>((resolve) => (wake = resolve)); // each look after a wake reads the record again
      }
    } finally {
      if (this.holders.get(key) === holder) this.holders.delete(key);
    }
  }

  /**
   * When to bring back a message put off while waiting for its predecessor: just after the
   * predecessor, when this process put that one off (lower versions first); else `fallbackMs`.
   */
  laterDelayMs(consumer: ConsumerRef, event: Versioned, fallbackMs: number): number {
    const gone = this.away.get(this.keyOf(consumer, event.streamId));
    if (!gone || gone.version >= event.version || gone.until <= Date.now()) return fallbackMs;
    return gone.until - Date.now() + Math.min(50 * (event.version - gone.version), 1_000);
  }

  /** This process handed `event` back to JetStream, to come back in `delayMs`: its successors need not wait here for it. */
  handedBack(consumer: ConsumerRef, event: Versioned, delayMs: number): void {
    const key = this.keyOf(consumer, event.streamId);
    const gone = this.away.get(key);
    if (gone && gone.version < event.version && gone.until > Date.now()) return;
    this.away.set(key, { version: event.version, until: Date.now() + delayMs });
    if (this.away.size > CACHE_SIZE) this.away.delete(this.away.keys().next().value!);
  }

  /** A lower version of `streamId` is about to queue in this process: a later version held here gives way (and requeues). */
  arrived(consumer: ConsumerRef, event: Versioned): void {
    const holder = this.holders.get(this.keyOf(consumer, event.streamId));
    if (holder && holder.version > event.version) {
      holder.yielded = true;
      holder.wake();
    }
  }

  /** The next version, held in this process, takes its turn now rather than at its next look. */
  private wakeSuccessor(key: string, version: number): void {
    const holder = this.holders.get(key);
    if (holder?.version === version + 1) holder.wake();
  }

  /** Stop holding anything (shutdown): every held message is handed back. */
  release(): void {
    this.released = true;
    for (const holder of this.holders.values()) holder.wake();
  }

  /**
   * Records `event.version` as finished by `consumer`; false when it could not (NATS away, the
   * bucket gone): the caller then must not end the message, which comes back and is recorded on
   * a later delivery. Never lowers the record.
   */
  async finished(consumer: ConsumerRef, event: Versioned): Promise<boolean> {
    const key = this.keyOf(consumer, event.streamId);
    const gone = this.away.get(key);
    if (gone && gone.version <= event.version) this.away.delete(key);
    try {
      const kv = await this.open();
      for (let attempt = 1; attempt <= 5; attempt++) {
        const known = this.known.get(key);
        if (known && known.version >= event.version) return true;
        try {
          const value = codec.encode(String(event.version));
          const revision = known ? await kv.update(key, value, known.revision) : await kv.create(key, value);
          this.remember(key, { version: event.version, revision });
          this.wakeSuccessor(key, event.version);
          return true;
        } catch (error) {
          if (!/wrong last sequence|key exists/i.test((error as Error).message)) throw error;
          // Another replica wrote first, or the record expired: take what is there now, as it is.
          const current = versionOf(await kv.get(key));
          this.known.delete(key);
          if (current) this.known.set(key, current);
        }
      }
      throw new Error('the record kept changing under us');
    } catch (error) {
      this.kv = undefined; // opened again (re-created if it was deleted) on the next use
      this.logger.warn(
        `cannot record ${event.streamId} v${event.version} as finished by ${consumer.durable} (${(error as Error).message}); the message is not acked and comes back`,
      );
      return false;
    }
  }

  private decide(known: Known | undefined, version: number): Turn | undefined {
    if (known && known.version >= version) return 'done';
    if (version === 1 || known?.version === version - 1) return 'now';
    return undefined;
  }

  private async read(key: string): Promise<Known | undefined> {
    try {
      const current = versionOf(await (await this.open()).get(key));
      if (current) this.remember(key, current);
      return current ?? this.known.get(key);
    } catch (error) {
      this.kv = undefined;
      this.logger.warn(`cannot read the build order record ${key} (${(error as Error).message}); waiting for the consumer's ack floor`);
      return this.known.get(key);
    }
  }

  /** true once every message stored before `streamSequence` has been acked (or terminated) by the consumer. */
  private async earlierAllEnded(consumer: ConsumerRef, streamSequence: number): Promise<boolean> {
    const id = `${consumer.stream}/${consumer.durable}`;
    let entry = this.floors.get(id);
    if (!entry || Date.now() - entry.at > ACK_FLOOR_TTL_MS) {
      entry = {
        at: Date.now(),
        floor: this.jsm.consumers.info(consumer.stream, consumer.durable).then((info) => info.ack_floor.stream_seq),
      };
      this.floors.set(id, entry);
    }
    try {
      return (await entry.floor) >= streamSequence - 1;
    } catch {
      return false;
    }
  }

  private remember(key: string, known: Known): void {
    const before = this.known.get(key);
    if (before && before.version > known.version) return;
    this.known.delete(key);
    this.known.set(key, known);
    if (this.known.size > CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
  }

  private keyOf(consumer: ConsumerRef, streamId: string): string {
    return `${consumer.stream}.${consumer.durable}.${token(streamId)}`;
  }
}
