import { Client } from 'pg';
import type { EventEnvelope } from '@app/contracts';
import { EVENTS_CHANNEL } from '../event-store/event-store';
import { EventRow, recordedEvent } from '../event-store/stored-event';
import { Checkpoint, INITIAL_CHECKPOINT, readCommittedBatch, readCheckpoint, saveCheckpoint } from './relay.sql';

/** What the relay needs from NATS: publish and resolve only once JetStream acked (Nats-Msg-Id = envelope id). */
export interface EventPublisher {
  publishEvent(subject: string, envelope: EventEnvelope): Promise<void>;
}

/** The few logger calls the relay makes (a Nest Logger fits). */
export interface RelayLogger {
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown): void;
}

export interface OutboxRelayOptions {
  databaseUrl: string;
  publisher: EventPublisher;
  subjectOf: (type: string) => string | undefined;
  /** Names the checkpoint and the advisory lock; one relay of each name publishes at a time. */
  name?: string;
  /** Poll when no notification came (default 1 s). */
  pollMs?: number;
  batchSize?: number;
  logger?: RelayLogger;
}

/**
 * Publishes committed events from `approvals.events` to JetStream, in transaction order,
 * never skipping one and never losing one (DESIGN §4):
 *
 * - reads only rows whose writing transaction is older than the oldest transaction still
 *   running (`pg_snapshot_xmin(pg_current_snapshot())`), ordered by (transaction id,
 *   position): a transaction that took a low position but commits late is waited for, not skipped;
 * - advances the stored checkpoint only after JetStream acked; a crash in between replays
 *   the event with the same Nats-Msg-Id, which JetStream drops as a duplicate;
 * - wakes on NOTIFY sent right after an appending commit (a dedicated LISTEN connection), polls as a fallback;
 * - holds a session advisory lock on its own connection, so one replica publishes at a time.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private running = false;
  private leader = false;
  private healthy = false;
  private pending = false;
  private session?: Client;
  private listener?: Client;
  private checkpoint: Checkpoint = INITIAL_CHECKPOINT;
  private loop?: Promise<void>;
  private wakeUp: () => void = () => undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'jetstream';
    this.pollMs = options.pollMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the publish in flight, releases the lock and closes both connections. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await this.loop;
    await this.disconnect();
  }

  /** Connected (as the publisher or as a standby replica). */
  isHealthy(): boolean {
    return this.running && this.healthy;
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** Asks for a pass now (tests, and the NOTIFY listener). */
  wake(): void {
    this.pending = true;
    this.wakeUp();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.connect();
        if (!this.leader) this.leader = await this.tryLock();
        if (this.leader) await this.drain();
      } catch (error) {
        this.options.logger?.warn({ msg: 'event relay lost its database connection; reconnecting', error: (error as Error).message });
        await this.disconnect();
      }
      await this.sleep();
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.running) return;
      this.pending = false;
      const batch = await readCommittedBatch(this.session!, this.checkpoint, this.batchSize);
      if (batch.length === 0) return;
      const { published, failed } = await this.publishInOrder(batch);
      if (published) {
        this.checkpoint = published;
        await saveCheckpoint(this.session!, this.name, published);
      }
      if (failed) return; // back off, then resume after the last acked event
    }
  }

  /** Publishes one by one, each after the previous was acked, so JetStream stores them in this order. */
  private async publishInOrder(batch: (EventRow & { transaction_id: string })[]): Promise<{ published?: Checkpoint; failed: boolean }> {
    let last: Checkpoint | undefined;
    for (const row of batch) {
      const { position: _position, ...envelope } = recordedEvent(row);
      const subject = this.options.subjectOf(row.type);
      if (!subject) {
        this.options.logger?.error({ msg: 'event type has no subject; not published', type: row.type, eventId: envelope.id });
      } else {
        try {
          await this.options.publisher.publishEvent(subject, envelope as EventEnvelope);
        } catch (error) {
          this.options.logger?.warn({ msg: 'publish failed; will retry', eventId: envelope.id, type: row.type, error: (error as Error).message });
          return { published: last, failed: true };
        }
      }
      last = checkpointOf(row);
    }
    return { published: last, failed: false };
  }

  private async connect(): Promise<void> {
    if (this.session && this.listener && this.healthy) return;
    await this.disconnect();
    const session = this.newClient();
    const listener = this.newClient();
    this.session = session;
    this.listener = listener;
    await session.connect();
    await listener.connect();
    listener.on('notification', () => this.wake());
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.healthy = true;
  }

  private newClient(): Client {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: 5_000,
      query_timeout: 10_000,
      keepAlive: true,
      application_name: `deploybot-approvals-relay`,
    });
    // An idle connection that drops emits 'error'; unhandled, it would end the process.
    client.on('error', (error) => {
      this.healthy = false;
      this.options.logger?.warn({ msg: 'event relay connection error', error: error.message });
      this.wakeUp();
    });
    return client;
  }

  private async tryLock(): Promise<boolean> {
    const result = await this.session!.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [lockName(this.name)]);
    const locked = result.rows[0]?.locked === true;
    if (locked) {
      this.checkpoint = await readCheckpoint(this.session!, this.name);
      this.options.logger?.log({ msg: 'event relay is publishing', from: this.checkpoint });
    }
    return locked;
  }

  private async disconnect(): Promise<void> {
    const { session, listener, leader } = this;
    this.session = undefined;
    this.listener = undefined;
    this.leader = false;
    this.healthy = false;
    if (session && leader) await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockName(this.name)]).catch(() => undefined);
    await Promise.all([session?.end().catch(() => undefined), listener?.end().catch(() => undefined)]);
  }

  private sleep(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.pending) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.pollMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const lockName = (name: string) => `deploybot.approvals.relay:${name}`;
const checkpointOf = (row: { transaction_id: string; position: string }): Checkpoint => ({ transactionId: row.transaction_id, position: row.position });
