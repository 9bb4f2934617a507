import { headers as natsHeaders, JetStreamClient, JetStreamManager, NatsError } from 'nats';
import { absoluteSubject } from '../messaging/jetstream.options';
import { DeadLetter, subjectMatches } from './dead-letter';
import { AuditConflict, AuditRecord, auditRecordOf, DeadLetterAudit, StoredAuditRecord } from './dead-letter-audit';
import { DeadLetterStore } from './dead-letter-store';
import { DlqProblem } from './dlq.problems';
import { ReplayHeaders } from './replay-headers';

/** Who acts and why; recorded with the action. */
export interface Operator {
  by: string;
  why: string;
  /** Act even on a dead letter a DLQ consumer has not read yet, or (replay) has acted on. */
  force: boolean;
}

export type ActionResult =
  | { seq: number; outcome: 'replayed'; record: AuditRecord; alsoDeliveredTo: string[] }
  | { seq: number; outcome: 'dropped'; record: AuditRecord }
  /** Replayed or dropped before (by this record); a leftover copy still in the DLQ was removed now. */
  | { seq: number; outcome: 'already'; record: StoredAuditRecord; removedLeftover: boolean }
  | { seq: number; outcome: 'refused'; problem: string };

const isFinal = (r: AuditRecord) => r.action === 'replayed' || r.action === 'dropped';

/**
 * Replay and drop, each recorded in the audit stream before the dead letter leaves the DLQ.
 *
 * Replaying twice never handles a message twice: the second run finds the `replayed` record and
 * does nothing; two runs at once race for the `replay-started` record and one loses; a run that
 * resumes an interrupted replay republishes under the same `Nats-Msg-Id`, which JetStream drops
 * within its dedup window (10 min). Beyond that window the envelope id is unchanged, so the
 * services' own idempotency (approvals' input ids, the notifier's ledger) is the last guard.
 */
export class DeadLetterActions {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly audit: DeadLetterAudit,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async replay(seq: number, op: Operator): Promise<ActionResult> {
    const { letter, records } = await this.load(seq);
    const done = records.find(isFinal);
    if (done || !letter) return this.already(seq, done ?? records.at(-1)!, letter);
    const check = await this.readers(letter, op, 'replay');
    if (typeof check !== 'boolean') return check;
    const forced = check;

    const last = records.at(-1);
    const resuming = last?.action === 'replay-started';
    const claim = resuming ? last.auditSeq : await this.claim(this.record(letter, 'replay-started', op, forced), last?.auditSeq ?? 0);
    if (typeof claim !== 'number') return claim;
    const replay = await this.republish(letter);
    await this.store.remove(seq);
    const record = { ...this.record(letter, 'replayed', op, forced), replay };
    if (typeof (await this.claim(record, claim)) !== 'number') {
      // A concurrent run resuming the same replay wrote the end first (its publish was the same message, deduplicated).
      const theirs = (await this.audit.of(seq)).find(isFinal);
      if (theirs) return { seq, outcome: 'already', record: theirs, removedLeftover: false };
    }
    return { seq, outcome: 'replayed', record, alsoDeliveredTo: await this.otherConsumers(letter, replay.stream) };
  }

  async drop(seq: number, op: Operator): Promise<ActionResult> {
    const { letter, records } = await this.load(seq);
    const done = records.find(isFinal);
    if (done || !letter) return this.already(seq, done ?? records.at(-1)!, letter);
    const last = records.at(-1);
    if (last?.action === 'replay-started') {
      return {
        seq,
        outcome: 'refused',
        problem: `a replay of #${seq} started by ${last.by} at ${last.at} has not finished: run \`dlq replay ${seq}\` to finish it`,
      };
    }
    const check = await this.readers(letter, op, 'drop');
    if (typeof check !== 'boolean') return check;
    const record = this.record(letter, 'dropped', op, check);
    const claimed = await this.claim(record, last?.auditSeq ?? 0);
    if (typeof claimed !== 'number') return claimed;
    await this.store.remove(seq);
    return { seq, outcome: 'dropped', record };
  }

  private async load(seq: number): Promise<{ letter?: DeadLetter; records: StoredAuditRecord[] }> {
    const [letter, records] = await Promise.all([this.store.get(seq), this.audit.of(seq)]);
    if (!letter && !records.length) {
      throw new DlqProblem(
        `there is no dead letter #${seq} in ${this.store.stream}, and no record of one (dead letters expire after 30 days; see \`dlq list\`)`,
      );
    }
    return { letter, records };
  }

  /** Acted on before: finish what that run left (a copy still in the DLQ) and say so. */
  private async already(seq: number, record: StoredAuditRecord, letter: DeadLetter | undefined): Promise<ActionResult> {
    const removedLeftover = !!letter && isFinal(record) && (await this.store.remove(seq));
    return { seq, outcome: 'already', record, removedLeftover };
  }

  /**
   * Dead letters that a DLQ consumer acts on (approvals fails the attempt of a request the deployer
   * gave up) are held back: none may vanish before that consumer has read it, and none it has read
   * should be replayed — the work it asked for is no longer awaited, its result would only arrive
   * late; the owner retries from Slack instead. Resolves whether `--force` overrode such a refusal.
   */
  private async readers(letter: DeadLetter, op: Operator, action: 'replay' | 'drop'): Promise<boolean | ActionResult> {
    const readers = await this.store.readersOf(letter);
    const unread = readers.filter((r) => !r.read);
    const read = readers.filter((r) => r.read);
    let problem: string | undefined;
    if (unread.length) {
      const who = unread.map((u) => `${u.consumer} (acked up to #${u.ackedUpTo})`).join(', ');
      problem = `dead letter #${letter.seq} has not been read yet by ${who}, which acts on it (approvals ends the build's attempt); wait a moment, or pass --force`;
    } else if (read.length && action === 'replay') {
      problem =
        `dead letter #${letter.seq} was acted on by ${read.map((r) => r.consumer).join(', ')} (approvals ended the build's attempt when the ${letter.service} gave up): ` +
        `a replay would redo work no one awaits any more, and its result would only be recorded as late. Let the owner retry from Slack, then drop it; or pass --force`;
    }
    if (!problem) return false;
    return op.force ? true : { seq: letter.seq, outcome: 'refused', problem };
  }

  private async claim(record: AuditRecord, expectedLast: number): Promise<number | ActionResult> {
    try {
      return await this.audit.append(record, expectedLast);
    } catch (error) {
      if (error instanceof AuditConflict) return { seq: record.deadLetter.seq, outcome: 'refused', problem: error.message };
      throw error;
    }
  }

  private record(letter: DeadLetter, action: AuditRecord['action'], op: Operator, forced: boolean): AuditRecord {
    return auditRecordOf(letter, this.store.stream, action, { by: op.by, why: op.why, forced }, this.now());
  }

  /** The original bytes to the original subject, under a message id of its own (the original's may still be in the dedup window). */
  private async republish(letter: DeadLetter): Promise<NonNullable<AuditRecord['replay']>> {
    const messageId = `dlq-replay:${this.store.stream}:${letter.seq}`;
    const h = natsHeaders();
    h.set(ReplayHeaders.Of, `${this.store.stream}:${letter.seq}`);
    h.set(ReplayHeaders.For, letter.service);
    if (letter.eventType) h.set('Deploybot-Type', letter.eventType);
    if (letter.buildId) h.set('Deploybot-Correlation-Id', letter.buildId);
    const subject = absoluteSubject(this.prefix, letter.subject);
    try {
      const ack = await this.js.publish(subject, letter.data, { msgID: messageId, headers: h });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, messageId };
    } catch (error) {
      const why = error instanceof NatsError && error.code === '503' ? `no stream stores ${subject}` : (error as Error).message;
      throw new DlqProblem(
        `cannot replay #${letter.seq} to ${subject}: ${why}; it stays in the DLQ (its replay-started record lets a rerun finish it)`,
      );
    }
  }

  /** Durable consumers of the replay's stream, other than the owner's, that will receive it too. */
  private async otherConsumers(letter: DeadLetter, stream: string): Promise<string[]> {
    const subject = absoluteSubject(this.prefix, letter.subject);
    const others: string[] = [];
    for await (const info of this.jsm.consumers.list(stream)) {
      const name = info.config.durable_name;
      if (!name || name.startsWith(`${letter.service}-`)) continue;
      if (!info.config.filter_subject || subjectMatches(info.config.filter_subject, subject)) others.push(name);
    }
    return others;
  }
}
