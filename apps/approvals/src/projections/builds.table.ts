import type { BuildEvent, BuildView } from '@app/contracts';
import { SqlExecutor, rows } from '../event-store/sql-executor';
import { buildIdOfStream } from '../commands/build-streams';
import { BuildRow, ENDED_FOR_GOOD_VIEW_STATUSES, NOT_OPEN_VIEW_STATUSES, projectBuild } from './build-view.projection';

interface BuildRecord {
  id: string;
  request_id: string;
  project: string;
  type: 'branch' | 'tag';
  target: string;
  image: string;
  status: string;
  preview_url: string;
  production_url: string | null;
  verdicts: BuildView['verdicts'];
  approvals_required: number;
  promoted_by: string | null;
  closed_by: string | null;
  superseded_by: string | null;
  failure_reason: string | null;
  preview_expires_at: Date | null;
  kept_by: string | null;
  expired_because: BuildRow['expiredBecause'];
  release: number | null;
  replaced_by: string | null;
  replaced_by_release: number | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = `id, request_id, project, type, target, image, status, preview_url, production_url, verdicts, approvals_required,
  promoted_by, closed_by, superseded_by, failure_reason, created_at, updated_at, version, preview_expires_at, kept_by, expired_because,
  release, replaced_by, replaced_by_release`;

const fromRecord = (r: BuildRecord): BuildRow => ({
  id: r.id,
  requestId: r.request_id,
  project: r.project,
  type: r.type,
  target: r.target,
  image: r.image,
  status: r.status,
  previewUrl: r.preview_url,
  productionUrl: r.production_url,
  verdicts: r.verdicts,
  approvalsRequired: r.approvals_required,
  promotedBy: r.promoted_by,
  closedBy: r.closed_by,
  supersededBy: r.superseded_by,
  failureReason: r.failure_reason,
  previewExpiresAt: r.preview_expires_at?.toISOString() ?? null,
  keptBy: r.kept_by,
  expiredBecause: r.expired_because,
  release: r.release,
  replacedBy: r.replaced_by,
  replacedByRelease: r.replaced_by_release,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
});

export async function findBuildRow(executor: SqlExecutor, id: string): Promise<BuildRow | undefined> {
  const found = await rows<BuildRecord>(executor, `SELECT ${COLUMNS} FROM approvals.builds WHERE id = $1`, [id]);
  return found[0] && fromRecord(found[0]);
}

/** The per-project history: builds newest first. */
export async function listProjectBuildRows(executor: SqlExecutor, project: string, limit: number): Promise<BuildRow[]> {
  const found = await rows<BuildRecord>(
    executor,
    `SELECT ${COLUMNS} FROM approvals.builds WHERE project = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [project, limit],
  );
  return found.map(fromRecord);
}

/**
 * The newest build of this project/type/target, unless it has been superseded or closed: the
 * build a new CI request for the target is compared with (the decider's state of it decides
 * whether the request is that build, and whether a new build supersedes it).
 */
export async function findLatestBuildRowOfTarget(
  executor: SqlExecutor,
  project: string,
  type: string,
  target: string,
): Promise<BuildRow | undefined> {
  const found = await rows<BuildRecord>(
    executor,
    `SELECT ${COLUMNS} FROM approvals.builds
      WHERE project = $1 AND type = $2 AND target = $3 AND status <> ALL($4::text[])
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [project, type, target, ENDED_FOR_GOOD_VIEW_STATUSES],
  );
  return found[0] && fromRecord(found[0]);
}

export async function saveBuildRow(executor: SqlExecutor, row: BuildRow): Promise<void> {
  await executor.query(
    `INSERT INTO approvals.builds (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
     ON CONFLICT (id) DO UPDATE SET
       status = EXCLUDED.status, production_url = EXCLUDED.production_url, verdicts = EXCLUDED.verdicts,
       promoted_by = EXCLUDED.promoted_by, closed_by = EXCLUDED.closed_by, superseded_by = EXCLUDED.superseded_by,
       failure_reason = EXCLUDED.failure_reason, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version,
       preview_expires_at = EXCLUDED.preview_expires_at, kept_by = EXCLUDED.kept_by, expired_because = EXCLUDED.expired_because,
       release = EXCLUDED.release, replaced_by = EXCLUDED.replaced_by, replaced_by_release = EXCLUDED.replaced_by_release`,
    [
      row.id,
      row.requestId,
      row.project,
      row.type,
      row.target,
      row.image,
      row.status,
      row.previewUrl,
      row.productionUrl,
      JSON.stringify(row.verdicts),
      row.approvalsRequired,
      row.promotedBy,
      row.closedBy,
      row.supersededBy,
      row.failureReason,
      row.createdAt,
      row.updatedAt,
      row.version,
      row.previewExpiresAt,
      row.keptBy,
      row.expiredBecause ?? null,
      row.release ?? null,
      row.replacedBy ?? null,
      row.replacedByRelease ?? null,
    ],
  );
}

/** Applies freshly appended events to the read model, in the append transaction. */
export async function projectAppended(executor: SqlExecutor, events: readonly BuildEvent[]): Promise<void> {
  const byBuild = new Map<string, BuildEvent[]>();
  for (const event of events) {
    const buildId = buildIdOfStream(event.streamId);
    if (buildId) byBuild.set(buildId, [...(byBuild.get(buildId) ?? []), event]);
  }
  for (const [buildId, stream] of byBuild) {
    const before = await findBuildRow(executor, buildId);
    const after = stream.reduce(projectBuild, before);
    if (after && after !== before) await saveBuildRow(executor, after);
  }
}

/** The newest build of a project/type/target, whatever its status (what `promote` and `close` act on). */
export async function findNewestBuildRowOfTarget(
  executor: SqlExecutor,
  project: string,
  type: string,
  target: string,
): Promise<BuildRow | undefined> {
  const found = await rows<BuildRecord>(
    executor,
    `SELECT ${COLUMNS} FROM approvals.builds WHERE project = $1 AND type = $2 AND target = $3 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [project, type, target],
  );
  return found[0] && fromRecord(found[0]);
}

/** A project's builds that have not ended (not shipped, closed, superseded or expired), newest first. */
export async function listOpenBuildRows(executor: SqlExecutor, project: string, limit: number): Promise<BuildRow[]> {
  const found = await rows<BuildRecord>(
    executor,
    `SELECT ${COLUMNS} FROM approvals.builds WHERE project = $1 AND status <> ALL($2::text[])
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [project, NOT_OPEN_VIEW_STATUSES, limit],
  );
  return found.map(fromRecord);
}
