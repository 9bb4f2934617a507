import { Client } from 'pg';
import type { EventEnvelope } from '@app/contracts';
import { EVENTS_CHANNEL } from '../event-store/event-store';
import { recordedEvent } from '../event-store/stored-event';
import { checkpointOf, ParkedStreams, PublishOutcome, RelayRow } from './parked-streams';
import { RelayMetrics } from './relay.metrics';
import { Checkpoint, INITIAL_CHECKPOINT, readCommittedBatch, readCheckpoint, saveCheckpoint } from './relay.sql';

/**
 * What the relay needs from NATS: publish and resolve only once JetStream acked (Nats-Msg-Id =
 * envelope id). A rejection may say why (`failure`, as the platform's PublishError does):
 * `refused` is about the event (too large, over a limit) and parks its build; anything else is
 * about JetStream and is retried in place.
 */
export interface EventPublisher {
  publishEvent(subject: string, envelope: EventEnvelope): Promise<void>;
  /** Re-creates the streams, when JetStream says no stream stores the subject (one was deleted). */
  ensureStreams?(): Promise<void>;
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
  /** How often held-back builds are tried again (default 30 s). */
  parkedRetryMs?: number;
  /** Not ready once the next event has failed to publish for this long (JetStream unreachable; default 30 s). */
  stuckAfterMs?: number;
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
 * - holds a session advisory lock on its own connection, so one replica publishes at a time;
 * - an event that cannot be published because of what it is holds back its own build only
 *   (`ParkedStreams`); when JetStream as a whole fails, the relay retries the same event and
 *   reports not ready after `stuckAfterMs`.
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
  private readonly parked: ParkedStreams;
  private readonly stuckAfterMs: number;
  /** Since when the next event has failed to publish for a reason that is not its own. */
  private failingSince?: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'jetstream';
    this.pollMs = options.pollMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.stuckAfterMs = options.stuckAfterMs ?? 30_000;
    this.parked = new ParkedStreams(this.name, options.parkedRetryMs ?? 30_000, options.logger);
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

  /**
   * Connected (as the publisher or as a standby replica), publishing (not failing for longer than
   * `stuckAfterMs`), and holding no build back.
   */
  isHealthy(): boolean {
    return this.running && this.healthy && !this.stuck() && this.parked.size === 0;
  }

  /** Builds held back because one of their events cannot be published. */
  parkedBuilds(): number {
    return this.parked.size;
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
      let failed = false;
      try {
        await this.connect();
        if (!this.leader) this.leader = await this.tryLock();
        if (this.leader) await this.drain();
      } catch (error) {
        this.options.logger?.warn({ msg: 'event relay lost its database connection; reconnecting', error: (error as Error).message });
        await this.disconnect();
        failed = true;
      }
      await this.sleep(failed);
    }
  }

  private async drain(): Promise<void> {
    await this.parked.retry(this.session!, this.checkpoint, (row) => this.publish(row));
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

  /**
   * Publishes one by one, each after the previous was acked, so JetStream stores them in this
   * order. An event of a held-back build, or one that cannot be published because of what it is,
   * is left to `ParkedStreams` (stored first) and the relay goes on; a failure of JetStream as a
   * whole stops the batch at that event.
   */
  private async publishInOrder(batch: RelayRow[]): Promise<{ published?: Checkpoint; failed: boolean }> {
    let last: Checkpoint | undefined;
    for (const row of batch) {
      if (!this.parked.has(row.stream_id)) {
        const outcome = await this.publish(row);
        if (!outcome.ok && !outcome.held) return { published: last, failed: true };
        if (!outcome.ok) await this.parked.park(this.session!, row, outcome.failure, outcome.reason);
      }
      last = checkpointOf(row);
    }
    return { published: last, failed: false };
  }

  /** One event to JetStream; after a "no stream stores it", the streams are re-created and it is tried once more. */
  private async publish(row: RelayRow): Promise<PublishOutcome> {
    const { position: _position, ...envelope } = recordedEvent(row);
    const subject = this.options.subjectOf(row.type);
    if (!subject) return this.failed(row, 'no-subject', `event type ${row.type} has no subject in this version's catalogue`, true);
    const attempt = () => this.options.publisher.publishEvent(subject, envelope as EventEnvelope);
    try {
      await attempt().catch(async (error) => {
        if (failureOf(error) !== 'no-stream' || !this.options.publisher.ensureStreams) throw error;
        this.options.logger?.warn({ msg: 'no stream stores the subject; re-creating the streams', subject, eventId: envelope.id });
        await this.options.publisher.ensureStreams();
        await attempt();
      });
    } catch (error) {
      const failure = failureOf(error);
      return this.failed(row, failure, (error as Error).message, failure === 'refused');
    }
    this.failingSince = undefined;
    RelayMetrics.stuckSeconds.set(0);
    return { ok: true };
  }

  private failed(row: RelayRow, failure: string, reason: string, held: boolean): PublishOutcome {
    RelayMetrics.publishFailures.inc({ failure });
    if (!held) {
      this.failingSince ??= Date.now();
      RelayMetrics.stuckSeconds.set((Date.now() - this.failingSince) / 1000);
      this.options.logger?.warn({
        msg: 'publish failed; will retry',
        eventId: row.metadata.id,
        type: row.type,
        streamId: row.stream_id,
        failure,
        error: reason,
      });
    }
    return { ok: false, failure, reason, held };
  }

  private stuck(): boolean {
    return this.failingSince !== undefined && Date.now() - this.failingSince > this.stuckAfterMs;
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
    const result = await this.session!.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
      lockName(this.name),
    ]);
    const locked = result.rows[0]?.locked === true;
    if (locked) {
      this.checkpoint = await readCheckpoint(this.session!, this.name);
      await this.parked.load(this.session!);
      this.options.logger?.log({ msg: 'event relay is publishing', from: this.checkpoint, parkedBuilds: this.parked.size });
    }
    return locked;
  }

  private async disconnect(): Promise<void> {
    const { session, listener, leader } = this;
    this.session = undefined;
    this.listener = undefined;
    this.leader = false;
    this.healthy = false;
    this.failingSince = undefined;
    this.parked.clear();
    if (session && leader) await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockName(this.name)]).catch(() => undefined);
    await Promise.all([session?.end().catch(() => undefined), listener?.end().catch(() => undefined)]);
  }

  /**
   * Until the next poll, or a wake-up. A pass asked for while one ran starts at once — but not
   * after a failed pass: a Postgres that refuses connections would otherwise be asked again in a
   * tight loop (a wake-up that came during an outage stays pending until a pass gets through).
   */
  private sleep(afterFailure = false): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.pending && !afterFailure) return Promise.resolve();
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

/** The platform's PublishError says why (`failure`); anything else counts as JetStream failing. */
const failureOf = (error: unknown): string => {
  const failure = (error as { failure?: unknown })?.failure;
  return typeof failure === 'string' ? failure : 'connection';
};
