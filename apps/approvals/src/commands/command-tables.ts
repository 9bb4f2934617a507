import type { BuildEvent, TimerKind } from '@app/contracts';
import type { AttemptKind } from '../builds/attempts';
import { SqlExecutor, rows } from '../event-store/sql-executor';

/*
 * The command side's bookkeeping tables (migration CreateCommandTables). Every write here
 * runs in the transaction that appends the events it belongs to.
 */

/** Records that input `messageId` was handled; false when it already was (a redelivery). */
export async function recordInput(executor: SqlExecutor, messageId: string, type: string, outcome: string): Promise<boolean> {
  const inserted = await rows(
    executor,
    `INSERT INTO approvals.processed_inputs (message_id, type, outcome) VALUES ($1, $2, $3)
     ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
    [messageId, type, outcome.slice(0, 500)],
  );
  return inserted.length === 1;
}

export async function inputWasHandled(executor: SqlExecutor, messageId: string): Promise<boolean> {
  return (await rows(executor, `SELECT 1 FROM approvals.processed_inputs WHERE message_id = $1`, [messageId])).length === 1;
}

/** How long an `Idempotency-Key` names the same request (and so the same build), whatever became of the build. */
export const IDEMPOTENCY_KEY_HOURS = 24;

/** The newest build a CI request id led to (what `GET /v1/builds/<request id>` shows). */
export async function buildOfRequest(executor: SqlExecutor, requestId: string): Promise<string | undefined> {
  const found = await rows<{ build_id: string }>(executor, `SELECT build_id FROM approvals.build_requests WHERE request_id = $1`, [
    requestId,
  ]);
  return found[0]?.build_id;
}

/** The build an `Idempotency-Key` request led to within the last {@link IDEMPOTENCY_KEY_HOURS}. */
export async function buildOfKeyedRequest(executor: SqlExecutor, requestId: string): Promise<string | undefined> {
  const found = await rows<{ build_id: string }>(
    executor,
    `SELECT build_id FROM approvals.build_requests WHERE request_id = $1 AND created_at > now() - make_interval(hours => $2)`,
    [requestId, IDEMPOTENCY_KEY_HOURS],
  );
  return found[0]?.build_id;
}

/** Points the request id at its newest build (a re-sent request after its build ended starts a new one). */
export async function rememberRequest(executor: SqlExecutor, requestId: string, buildId: string): Promise<void> {
  await executor.query(
    `INSERT INTO approvals.build_requests (request_id, build_id) VALUES ($1, $2)
     ON CONFLICT (request_id) DO UPDATE SET build_id = EXCLUDED.build_id, created_at = now()
       WHERE approvals.build_requests.build_id <> EXCLUDED.build_id`,
    [requestId, buildId],
  );
}

/** The build whose production deployment of `project` is in flight, if any. */
export async function productionLockHolder(executor: SqlExecutor, project: string): Promise<string | undefined> {
  const found = await rows<{ build_id: string }>(executor, `SELECT build_id FROM approvals.production_locks WHERE project = $1`, [project]);
  return found[0]?.build_id;
}

/** Another build of the project took the production lock between our read and our write. */
export class ProductionLockTaken extends Error {
  constructor(readonly project: string) {
    super(`another production deployment of ${project} started concurrently`);
    this.name = 'ProductionLockTaken';
  }
}

/**
 * Keeps `production_locks` in step with the events being appended: a production request
 * takes the project's lock (or fails with {@link ProductionLockTaken}, and the command is
 * decided again), its outcome releases it.
 */
export async function applyProductionLocks(executor: SqlExecutor, events: readonly BuildEvent[]): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'ProductionDeploymentRequested': {
        const taken = await rows(
          executor,
          `INSERT INTO approvals.production_locks (project, build_id, request_event_id) VALUES ($1, $2, $3)
           ON CONFLICT (project) DO UPDATE SET request_event_id = EXCLUDED.request_event_id, acquired_at = now()
             WHERE approvals.production_locks.build_id = EXCLUDED.build_id
           RETURNING build_id`,
          [event.data.project, event.data.buildId, event.id],
        );
        if (taken.length === 0) throw new ProductionLockTaken(event.data.project);
        break;
      }
      case 'ProductionDeployed':
      case 'ProductionDeploymentFailed':
        await executor.query(`DELETE FROM approvals.production_locks WHERE build_id = $1`, [event.data.buildId]);
        break;
      default:
        break;
    }
  }
}

/** How long approvals waits for the deployer's answer to one attempt. */
export interface DeadlinePolicy {
  /** ROLLOUT_TIMEOUT_SECONDS: when the deployer itself gives a rollout up. */
  rolloutTimeoutMs: number;
  /** DEADLINE_GRACE_SECONDS: how much longer approvals waits for its answer. */
  graceMs: number;
}

/** Every kind of timer a build can have (TimerScheduled); a build that moves on drops some or all of them. */
const ALL_TIMERS: readonly TimerKind[] = ['preview-reminder', 'preview-expiry', 'qa-reminder', 'owner-reminder', 'approval-expiry'];
/** Timers that only make sense while QA (or an owner, for the expiry) has not decided. */
const APPROVAL_TIMERS: readonly TimerKind[] = ['qa-reminder', 'owner-reminder', 'approval-expiry'];
const QA_REMINDERS: readonly TimerKind[] = ['qa-reminder', 'owner-reminder'];

/**
 * Keeps `deadlines` in step with the events being appended: a request for work sets the
 * attempt's deadline (its rollout deadline plus the grace), the event that settles the attempt
 * removes it. The build's timers (TimerScheduled) are rows of the same table: a timer scheduled
 * again replaces its kind's row, and a build that moves on removes the timers that no longer apply.
 */
export async function applyDeadlines(executor: SqlExecutor, events: readonly BuildEvent[], policy: DeadlinePolicy): Promise<void> {
  for (const event of events) {
    const buildId = event.data.buildId;
    switch (event.type) {
      case 'PreviewDeploymentRequested':
      case 'ProductionDeploymentRequested': {
        const rolloutEnds = event.data.rolloutDeadline
          ? Date.parse(event.data.rolloutDeadline)
          : Date.parse(event.occurredAt) + policy.rolloutTimeoutMs;
        const kind = event.type === 'PreviewDeploymentRequested' ? 'preview' : 'production';
        await setDeadline(executor, event.data.attemptId ?? event.id, buildId!, kind, event.occurredAt, rolloutEnds + policy.graceMs);
        // Shipping is a decision: nobody needs reminding, nothing waits for an approval any more.
        if (kind === 'production') await clearDeadlines(executor, buildId!, ...APPROVAL_TIMERS);
        break;
      }
      case 'PreviewTeardownRequested':
        await setDeadline(
          executor,
          event.data.attemptId,
          buildId!,
          'teardown',
          event.occurredAt,
          Date.parse(event.occurredAt) + policy.rolloutTimeoutMs + policy.graceMs,
        );
        break;
      case 'TimerScheduled':
        await clearDeadlines(executor, buildId!, event.data.kind);
        await setDeadline(executor, event.data.timerId, buildId!, event.data.kind, event.occurredAt, Date.parse(event.data.dueAt));
        break;
      case 'PreviewDeployed':
      case 'PreviewDeploymentFailed':
        await clearDeadlines(executor, buildId!, 'preview');
        break;
      case 'BuildSuperseded':
      case 'BuildExpired':
      case 'BuildClosed':
        await clearDeadlines(executor, buildId!, 'preview', ...ALL_TIMERS);
        break;
      case 'BuildApproved':
      case 'QaRejected':
        await clearDeadlines(executor, buildId!, ...QA_REMINDERS);
        break;
      case 'ProductionDeployed':
        await clearDeadlines(executor, buildId!, 'production', ...ALL_TIMERS);
        break;
      case 'ProductionDeploymentFailed':
        await clearDeadlines(executor, buildId!, 'production');
        break;
      case 'PreviewRemoved':
      case 'PreviewTeardownFailed':
        await clearDeadlines(executor, buildId!, 'teardown');
        break;
      default:
        break;
    }
  }
}

async function setDeadline(
  executor: SqlExecutor,
  attemptId: string,
  buildId: string,
  kind: string,
  requestedAt: string,
  dueAtMs: number,
): Promise<void> {
  await executor.query(
    `INSERT INTO approvals.deadlines (attempt_id, build_id, kind, requested_at, due_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (attempt_id) DO NOTHING`,
    [attemptId, buildId, kind, requestedAt, new Date(dueAtMs).toISOString()],
  );
}

async function clearDeadlines(executor: SqlExecutor, buildId: string, ...kinds: string[]): Promise<void> {
  await executor.query(`DELETE FROM approvals.deadlines WHERE build_id = $1 AND kind = ANY($2::text[])`, [buildId, kinds]);
}

/** An attempt whose deadline passed, or a timer that is due (`attemptId` is then the timer id). */
export interface DueDeadline {
  attemptId: string;
  buildId: string;
  kind: AttemptKind | TimerKind;
  requestedAt: Date;
  dueAt: Date;
}

export async function dueDeadlines(executor: SqlExecutor, limit: number): Promise<DueDeadline[]> {
  const found = await rows<{ attempt_id: string; build_id: string; kind: DueDeadline['kind']; requested_at: Date; due_at: Date }>(
    executor,
    `SELECT attempt_id, build_id, kind, requested_at, due_at FROM approvals.deadlines WHERE due_at <= now() ORDER BY due_at LIMIT $1`,
    [limit],
  );
  return found.map((r) => ({ attemptId: r.attempt_id, buildId: r.build_id, kind: r.kind, requestedAt: r.requested_at, dueAt: r.due_at }));
}

export async function removeDeadline(executor: SqlExecutor, attemptId: string): Promise<void> {
  await executor.query(`DELETE FROM approvals.deadlines WHERE attempt_id = $1`, [attemptId]);
}
