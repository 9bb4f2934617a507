import { Logger } from '@nestjs/common';
import type { BuildEvent, EventEnvelope } from '@app/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { StreamVersionConflict } from '../event-store/event-store.errors';
import { CommitNotifier } from '../event-store/commit-notifier';
import { PostgresEventStore } from '../event-store/event-store';
import { projectAppended } from '../projections/builds.table';
import {
  applyDeadlines,
  applyProductionLocks,
  DeadlinePolicy,
  inputWasHandled,
  ProductionLockTaken,
  recordInput,
  rememberRequest,
} from './command-tables';
import { toNewEvent } from './envelopes';

/** Appends to one stream, decided against `expectedVersion`. */
export interface StreamWrite {
  streamId: string;
  expectedVersion: number;
  events: BuildEvent[];
}

/** What handling one input amounts to: writes, request-id mappings, and a note for the dedup record. */
export interface Plan {
  writes: StreamWrite[];
  requests?: { requestId: string; buildId: string }[];
  note: string;
}

export type Handled = { kind: 'handled'; events: BuildEvent[]; note: string } | { kind: 'duplicate' };

/** Conflicts that mean "someone else wrote first": reload and decide again, at most this often. */
export const MAX_ATTEMPTS = 5;

/**
 * The one command path (docs/architecture.md §3, §5): in a transaction, load what the decision needs
 * → decide (the plan) → append with expected versions, record the input id, keep the
 * production locks, the deadlines and the read model in step → commit. On a conflict, do it all again
 * against the new state. A redelivered input finds its id recorded and does nothing.
 *
 * Planning reads run inside the transaction before its first write, so the transaction id
 * is taken after everything it decided on was committed (the relay's order relies on it).
 */
export class CommandPath {
  private readonly logger = new Logger('CommandPath');

  private readonly notifier: CommitNotifier;

  constructor(
    private readonly db: DataSource,
    readonly store: PostgresEventStore,
    private readonly deadlines: DeadlinePolicy,
  ) {
    this.notifier = new CommitNotifier(db, (error) => this.logger.warn(`cannot notify the relay: ${error.message}`));
  }

  async execute(
    input: Pick<EventEnvelope, 'id' | 'type'>,
    plan: (em: EntityManager) => Promise<Plan>,
    options: { serializeOn?: string } = {},
  ): Promise<Handled> {
    for (let attempt = 1; ; attempt++) {
      try {
        const handled = await this.db.transaction((em) => this.attempt(em, input, plan, options.serializeOn));
        if (handled.kind === 'handled' && handled.events.length > 0) this.notifier.committed();
        return handled;
      } catch (error) {
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.debug?.({ msg: 'write conflict; deciding again', input: input.id, attempt, reason: (error as Error).message });
      }
    }
  }

  private async attempt(
    em: EntityManager,
    input: Pick<EventEnvelope, 'id' | 'type'>,
    plan: (em: EntityManager) => Promise<Plan>,
    serializeOn?: string,
  ): Promise<Handled> {
    if (serializeOn) await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [serializeOn]);
    if (await inputWasHandled(em, input.id)) return { kind: 'duplicate' };
    const decided = await plan(em);
    if (!(await recordInput(em, input.id, input.type, decided.note))) return { kind: 'duplicate' };
    const events = decided.writes.flatMap((w) => w.events);
    for (const write of decided.writes) {
      await this.store.appendToStream(em, write.streamId, write.expectedVersion, write.events.map(toNewEvent));
    }
    for (const { requestId, buildId } of decided.requests ?? []) await rememberRequest(em, requestId, buildId);
    await applyProductionLocks(em, events);
    await applyDeadlines(em, events, this.deadlines);
    await projectAppended(em, events);
    return { kind: 'handled', events, note: decided.note };
  }
}

const isRetryable = (error: unknown): boolean => {
  if (error instanceof StreamVersionConflict || error instanceof ProductionLockTaken) return true;
  const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
  // serialization failure, deadlock, or a unique key taken by a concurrent writer (e.g. the same request id)
  return code === '40001' || code === '40P01' || code === '23505';
};
