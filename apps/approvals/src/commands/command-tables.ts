import type { BuildEvent } from '@app/contracts';
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

/** The build a CI request id belongs to. */
export async function buildOfRequest(executor: SqlExecutor, requestId: string): Promise<string | undefined> {
  const found = await rows<{ build_id: string }>(executor, `SELECT build_id FROM approvals.build_requests WHERE request_id = $1`, [requestId]);
  return found[0]?.build_id;
}

export async function rememberRequest(executor: SqlExecutor, requestId: string, buildId: string): Promise<void> {
  await executor.query(`INSERT INTO approvals.build_requests (request_id, build_id) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING`, [requestId, buildId]);
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
