import { JetStreamManager, NatsError } from 'nats';
import { absoluteSubject, streamName } from '../messaging/jetstream.options';
import { DeadLetter, deadLetterFilter, DeadLetterSelection, StoredMessage, subjectMatches, toDeadLetter } from './dead-letter';
import { DlqProblem } from './dlq.problems';

/** How many dead letters of a selection there are, and when the oldest was dead-lettered. */
export interface DeadLetterSummary {
  count: number;
  oldest?: Date;
}

/**
 * A durable consumer on the DLQ that filters a dead letter in (approvals' `approvals-dlq-deployer`):
 * it acts on the dead-lettering itself, so the dead letter matters to it.
 */
export interface DeadLetterReader {
  consumer: string;
  /** Whether it has acked (or terminated) the dead letter, by its ack floor. */
  read: boolean;
  ackedUpTo: number;
}

const apiCode = (error: unknown): number | undefined => (error instanceof NatsError ? error.api_error?.err_code : undefined);
/** JetStream's "no message found" (10037) and "sequence not found" (10043). */
const isNoMessage = (error: unknown) => apiCode(error) === 10037 || apiCode(error) === 10043;
export const isNoStream = (error: unknown) => apiCode(error) === 10059;

/**
 * The dead letters of one prefix, read straight from `<PREFIX>_DLQ` (no consumer is created,
 * so reading never changes what the services' consumers see).
 */
export class DeadLetterStore {
  readonly stream: string;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
  ) {
    this.stream = streamName(prefix, 'DLQ');
  }

  /** Fails with a problem that names the prefix when no service has created the DLQ stream yet. */
  async assertExists(): Promise<void> {
    try {
      await this.jsm.streams.info(this.stream);
    } catch (error) {
      if (!isNoStream(error)) throw error;
      throw new DlqProblem(
        `there is no dead-letter stream ${this.stream} yet: no service has started with NATS_SUBJECT_PREFIX=${this.prefix} on this NATS ` +
          `(check NATS_URL and NATS_SUBJECT_PREFIX; the stream appears when the first service starts)`,
      );
    }
  }

  /** The dead letters of a selection, oldest first. */
  async *list(selection: DeadLetterSelection = {}): AsyncGenerator<DeadLetter> {
    for await (const stored of readStream(this.jsm, this.stream, deadLetterFilter(this.prefix, selection))) {
      const letter = toDeadLetter(this.prefix, stored);
      if (letter) yield letter;
    }
  }

  /** One dead letter by its DLQ sequence; undefined when there is none (never was, or replayed, dropped, expired). */
  async get(seq: number): Promise<DeadLetter | undefined> {
    try {
      return toDeadLetter(this.prefix, await this.jsm.streams.getMessage(this.stream, { seq }));
    } catch (error) {
      if (isNoMessage(error)) return undefined;
      throw error;
    }
  }

  /** Removes a dead letter; true if it was there. */
  async remove(seq: number): Promise<boolean> {
    try {
      return await this.jsm.streams.deleteMessage(this.stream, seq, false);
    } catch (error) {
      if (isNoMessage(error)) return false;
      throw error;
    }
  }

  /** Count and oldest of one service's dead letters: two requests, whatever the count. */
  async summary(service: string): Promise<DeadLetterSummary> {
    const filter = deadLetterFilter(this.prefix, { service });
    let subjects: Record<string, number> | undefined;
    try {
      subjects = (await this.jsm.streams.info(this.stream, { subjects_filter: filter })).state.subjects;
    } catch (error) {
      if (isNoStream(error)) return { count: 0 };
      throw error;
    }
    const count = Object.values(subjects ?? {}).reduce((sum, n) => sum + n, 0);
    if (count === 0) return { count };
    const first = await nextBySubject(this.jsm, this.stream, filter, 1);
    return { count, oldest: first?.time };
  }

  /**
   * The durable DLQ consumers that filter this dead letter in, and whether each has read it (by
   * its ack floor: conservative, a message acked out of order above the floor counts as unread).
   */
  async readersOf(letter: DeadLetter): Promise<DeadLetterReader[]> {
    const readers: DeadLetterReader[] = [];
    for await (const info of this.jsm.consumers.list(this.stream)) {
      const filter = info.config.filter_subject ?? absoluteSubject(this.prefix, 'dlq.>');
      if (!info.config.durable_name || !subjectMatches(filter, letter.dlqSubject)) continue;
      readers.push({
        consumer: info.config.durable_name,
        read: letter.seq <= info.ack_floor.stream_seq,
        ackedUpTo: info.ack_floor.stream_seq,
      });
    }
    return readers;
  }
}

/**
 * Every message of `stream` matching `filter` from `fromSeq` on, one direct get each
 * (`next_by_subj`, which nats-server 2.9 answers without a consumer).
 */
export async function* readStream(jsm: JetStreamManager, stream: string, filter: string, fromSeq = 1): AsyncGenerator<StoredMessage> {
  for (let seq = fromSeq; ; ) {
    const stored = await nextBySubject(jsm, stream, filter, seq);
    if (!stored) return;
    yield stored;
    seq = stored.seq + 1;
  }
}

async function nextBySubject(jsm: JetStreamManager, stream: string, filter: string, seq: number): Promise<StoredMessage | undefined> {
  try {
    // The client's type lists only seq and last_by_subj; the server's MSG.GET takes next_by_subj too (since 2.9).
    return await jsm.streams.getMessage(stream, { seq, next_by_subj: filter } as unknown as { seq: number });
  } catch (error) {
    if (isNoMessage(error)) return undefined;
    throw error;
  }
}
