import type { ReleaseView } from '@app/contracts';
import { SqlExecutor, rows } from '../event-store/sql-executor';

interface ReleaseRecord {
  build_id: string;
  project: string;
  type: 'branch' | 'tag';
  target: string;
  image: string;
  digest: string | null;
  url: string;
  by: string;
  at: string;
  release: string;
  rollback_of: string | null;
}

/**
 * A project's production deployments, newest first, read from the log itself: every
 * `ProductionDeployed` event, joined with its build's facts in the read model. The log is the
 * history (a build is shipped once, but a project is shipped many times — and again by a
 * rollback), so this needs no read model of its own; `events_production_deployed_idx` keeps it an
 * index walk. The release number counts the project's `ProductionDeployed` events from 1.
 */
export async function productionHistory(executor: SqlExecutor, project: string, limit: number): Promise<ReleaseView[]> {
  const found = await rows<ReleaseRecord>(
    executor,
    `SELECT * FROM (
       SELECT b.id AS build_id, b.project, b.type, b.target, b.image,
              e.data->>'digest' AS digest, e.data->>'url' AS url, e.data->>'by' AS by, e.metadata->>'occurredAt' AS at,
              e.data->>'rollbackOf' AS rollback_of, row_number() OVER (ORDER BY e.position) AS release
         FROM approvals.events e
         JOIN approvals.builds b ON b.id = e.data->>'buildId'
        WHERE e.type = 'ProductionDeployed' AND b.project = $1
     ) releases
     ORDER BY release DESC
     LIMIT $2`,
    [project, limit],
  );
  return found.map((r) => ({
    buildId: r.build_id,
    project: r.project,
    type: r.type,
    target: r.target,
    image: r.image,
    digest: r.digest,
    url: r.url,
    by: r.by,
    at: r.at,
    release: Number(r.release),
    rollbackOf: r.rollback_of,
  }));
}
