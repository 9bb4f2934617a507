import { headers as natsHeaders, JetStreamClient, JetStreamManager, NatsError, RetentionPolicy, StorageType } from 'nats';
import { absoluteSubject } from '../messaging/jetstream.options';
import { DeadLetter } from './dead-letter';
import { isNoStream, readStream } from './dead-letter-store';

/**
 * What happened to a dead letter, appended to `<PREFIX>_DLQ_AUDIT` on subject
 * `<prefix>.dlq-audit.<dlq seq>`. Stored for a year and read by `dlq history`: renaming a field
 * or an action needs a migration (add optional fields instead).
 *
 * - `replay-started`: a replay claimed the dead letter (written before the publish);
 * - `replayed`: republished to its original subject (`replay` says where) and removed from the DLQ;
 * - `dropped`: removed from the DLQ without being handled.
 */
export interface AuditRecord {
  action: 'replay-started' | 'replayed' | 'dropped';
  /** ISO time of the action. */
  at: string;
  /** Who: `--by`, else DLQ_OPERATOR, else `<os user>@<host>`. */
  by: string;
  /** Why, as the operator gave it (`--reason`). */
  why: string;
  /** true when the operator overrode a refusal (a DLQ consumer had not read it yet). */
  forced?: boolean;
  deadLetter: {
    stream: string;
    seq: number;
    service: string;
    /** Original subject, relative to the prefix. */
    subject: string;
    reason: string;
    deliveries?: number;
    deadLetteredAt: string;
    buildId?: string;
    eventId?: string;
    messageId?: string;
  };
  /** Where the replay was stored: JetStream's ack of the republish (`duplicate` when the dedup window caught a second one). */
  replay?: { stream: string; seq: number; duplicate: boolean; messageId: string };
}

/** An audit record as read back, with its place in the audit stream. */
export interface StoredAuditRecord extends AuditRecord {
  auditSeq: number;
}

/** Another operator (or an interrupted run) wrote to this dead letter's audit subject since it was read. */
export class AuditConflict extends Error {
  override name = 'AuditConflict';
}

const YEAR_NS = 365 * 24 * 3600 * 1e9;
const codec = { encode: (r: AuditRecord) => new TextEncoder().encode(JSON.stringify(r)) };

/** `deploybot` → `DEPLOYBOT_DLQ_AUDIT`. Not in the contracts' Streams: no service reads or writes it, and it outlives the DLQ. */
export const auditStreamName = (prefix: string): string => `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_DLQ_AUDIT`;

/** `dlq-audit.<seq>`, relative to the prefix. Outside `dlq.>`, so the DLQ stream never stores it. */
export const auditSubject = (seq: number): string => `dlq-audit.${seq}`;

export function auditRecordOf(
  letter: DeadLetter,
  stream: string,
  action: AuditRecord['action'],
  who: { by: string; why: string; forced?: boolean },
  at: Date,
): AuditRecord {
  return {
    action,
    at: at.toISOString(),
    by: who.by,
    why: who.why,
    ...(who.forced ? { forced: true } : {}),
    deadLetter: {
      stream,
      seq: letter.seq,
      service: letter.service,
      subject: letter.subject,
      reason: letter.reason,
      deliveries: letter.deliveries,
      deadLetteredAt: letter.deadLetteredAt.toISOString(),
      buildId: letter.buildId,
      eventId: letter.eventId,
      messageId: letter.messageId,
    },
  };
}

/**
 * The record of every replay and drop. Each dead letter has its own audit subject, and every
 * append states the subject's last sequence it expects: two operators acting on one dead letter
 * at once cannot both pass (JetStream refuses the second append).
 */
export class DeadLetterAudit {
  readonly stream: string;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    /** As the services' streams (NATS_STREAM_REPLICAS): 1 on a single server, 3 on a cluster. */
    private readonly replicas = 1,
  ) {
    this.stream = auditStreamName(prefix);
  }

  /** Creates the audit stream on first use. */
  async ensure(): Promise<void> {
    try {
      await this.jsm.streams.info(this.stream);
    } catch (error) {
      if (!isNoStream(error)) throw error;
      await this.jsm.streams
        .add({
          name: this.stream,
          subjects: [absoluteSubject(this.prefix, 'dlq-audit.>')],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: YEAR_NS,
          num_replicas: this.replicas,
        })
        .catch((addError: Error) => {
          if (!/already in use|exists/i.test(addError.message)) throw addError;
        });
    }
  }

  /** The records of one dead letter, oldest first (none when the audit stream does not exist yet). */
  async of(seq: number): Promise<StoredAuditRecord[]> {
    return this.read(absoluteSubject(this.prefix, auditSubject(seq)));
  }

  /** Every record, oldest first. */
  history(): Promise<StoredAuditRecord[]> {
    return this.read(absoluteSubject(this.prefix, 'dlq-audit.>'));
  }

  /**
   * Appends a record if the dead letter's last record is still `expectedLast` (0: none yet);
   * throws AuditConflict otherwise. Returns the record's audit sequence.
   */
  async append(record: AuditRecord, expectedLast: number): Promise<number> {
    await this.ensure();
    const h = natsHeaders();
    h.set('Deploybot-Dlq-Action', record.action);
    try {
      const ack = await this.js.publish(absoluteSubject(this.prefix, auditSubject(record.deadLetter.seq)), codec.encode(record), {
        headers: h,
        expect: { lastSubjectSequence: expectedLast },
      });
      return ack.seq;
    } catch (error) {
      // 10071: "wrong last sequence".
      if (error instanceof NatsError && error.api_error?.err_code === 10071) {
        throw new AuditConflict(
          `dead letter #${record.deadLetter.seq} was replayed or dropped by someone else meanwhile (see: dlq history --seq ${record.deadLetter.seq})`,
        );
      }
      throw error;
    }
  }

  private async read(filter: string): Promise<StoredAuditRecord[]> {
    const records: StoredAuditRecord[] = [];
    try {
      for await (const stored of readStream(this.jsm, this.stream, filter)) {
        records.push({ ...(JSON.parse(new TextDecoder().decode(stored.data)) as AuditRecord), auditSeq: stored.seq });
      }
    } catch (error) {
      if (isNoStream(error)) return [];
      throw error;
    }
    return records;
  }
}
