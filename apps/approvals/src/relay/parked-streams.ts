import type { Client } from 'pg';
import type { EventRow } from '../event-store/stored-event';
import { RelayMetrics } from './relay.metrics';
import { Checkpoint, deleteParked, ParkedStream, readParked, readParkedEvents, saveParked } from './relay.sql';

export type RelayRow = EventRow & { transaction_id: string };

/** What came of one publish: done, or why not and whether it is about this event (`held`) or about JetStream as a whole. */
export type PublishOutcome = { ok: true } | { ok: false; failure: string; reason: string; held: boolean };

interface Logger {
  log(message: unknown): void;
  error(message: unknown): void;
}

const PAGE = 500;

export const checkpointOf = (row: { transaction_id: string; position: string }): Checkpoint => ({
  transactionId: row.transaction_id,
  position: row.position,
});

/**
 * The builds the relay holds back. The rule for an event that cannot be published because of
 * what it is (no subject in this version's catalogue, refused by JetStream: too large, over a
 * limit): its build is parked — that event and every later event of the same stream wait, in
 * order, while every other build's events go on; never skipped, never reordered within the build.
 * Parked builds are tried again every `retryMs` and when a replica takes over publishing (a new
 * release that knows the type, a raised limit), oldest event first; once all of a build's held
 * events are out, it is published normally again. Surfaced by an error log naming the event, the
 * gauge `deploybot_relay_parked_builds`, and the relay's readiness.
 */
export class ParkedStreams {
  private readonly parked = new Map<string, ParkedStream & { reason: string }>();
  private nextRetry = 0;

  constructor(
    private readonly name: string,
    private readonly retryMs: number,
    private readonly logger?: Logger,
  ) {}

  get size(): number {
    return this.parked.size;
  }

  has(streamId: string): boolean {
    return this.parked.has(streamId);
  }

  /** What an earlier publishing replica parked (on taking over); tried again at once. */
  async load(session: Client): Promise<void> {
    this.parked.clear();
    for (const stream of await readParked(session, this.name))
      this.parked.set(stream.streamId, { ...stream, reason: 'parked by an earlier publisher' });
    this.nextRetry = 0;
    RelayMetrics.parkedBuilds.set(this.parked.size);
  }

  /** Holds back `row`'s build from `row` on; stored before the relay's checkpoint moves past it. */
  async park(session: Client, row: RelayRow, failure: string, reason: string): Promise<void> {
    if (this.parked.has(row.stream_id)) return;
    const stream = { streamId: row.stream_id, from: checkpointOf(row), since: new Date(), reason };
    await saveParked(session, this.name, stream.streamId, stream.from);
    this.parked.set(stream.streamId, stream);
    RelayMetrics.parkedBuilds.set(this.parked.size);
    this.logger?.error({
      msg: 'event cannot be published; its build is held back (this event and every later one of the build wait, other builds go on)',
      eventId: row.metadata.id,
      type: row.type,
      streamId: row.stream_id,
      version: row.stream_version,
      failure,
      reason,
      retryInMs: this.retryMs,
    });
  }

  /**
   * Tries the parked builds again, when due: each build's held events in version order, up to
   * the relay's checkpoint (later ones are the drain's, which holds them while the build is parked).
   * Stops at the first failure that is not about the event (JetStream unreachable).
   */
  async retry(session: Client, upTo: Checkpoint, publish: (row: RelayRow) => Promise<PublishOutcome>, force = false): Promise<void> {
    if (this.parked.size === 0 || (!force && Date.now() < this.nextRetry)) return;
    this.nextRetry = Date.now() + this.retryMs;
    for (const stream of [...this.parked.values()]) {
      if (!(await this.release(session, stream, upTo, publish))) return;
    }
  }

  /** false when JetStream as a whole failed (stop trying the others). */
  private async release(
    session: Client,
    stream: ParkedStream & { reason: string },
    upTo: Checkpoint,
    publish: (row: RelayRow) => Promise<PublishOutcome>,
  ): Promise<boolean> {
    for (;;) {
      const rows = await readParkedEvents(session, stream, upTo, PAGE);
      for (const [i, row] of rows.entries()) {
        const outcome = await publish(row);
        if (outcome.ok) continue;
        if (i > 0) await saveParked(session, this.name, stream.streamId, (stream.from = checkpointOf(row)));
        stream.reason = outcome.reason;
        return outcome.held;
      }
      if (rows.length === PAGE) {
        // The last one goes out again with the next page: the same Nats-Msg-Id, dropped as a duplicate.
        await saveParked(session, this.name, stream.streamId, (stream.from = checkpointOf(rows[rows.length - 1])));
        continue;
      }
      await deleteParked(session, this.name, stream.streamId);
      this.parked.delete(stream.streamId);
      RelayMetrics.parkedBuilds.set(this.parked.size);
      this.logger?.log({
        msg: 'held-back build published; it is no longer held back',
        streamId: stream.streamId,
        since: stream.since.toISOString(),
      });
      return true;
    }
  }

  /** Forgets (not the stored rows): another replica publishes now. */
  clear(): void {
    this.parked.clear();
    RelayMetrics.parkedBuilds.set(0);
  }
}
