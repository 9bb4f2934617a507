import type { BuildEvent, BuildView } from '@app/contracts';

/** A row of `approvals.builds`: the view plus what the projection needs to stay idempotent. */
export interface BuildRow extends BuildView {
  previewExpiresAt: string | null;
  keptBy: string | null;
  expiredBecause: BuildView['expiredBecause'];
  requestId: string;
  /** The stream version this row reflects. */
  version: number;
}

/**
 * Statuses shown to people and returned by the queries. Stored in the read model:
 * renaming one needs a rebuild (`rebuildReadModels`).
 */
export type BuildViewStatus =
  | 'registered'
  | 'preview-deploying'
  | 'preview-failed'
  | 'awaiting-qa'
  | 'rejected'
  | 'approved'
  | 'production-deploying'
  | 'production-failed'
  | 'in-production'
  /** Shipped, and a later release runs in production now. */
  | 'replaced'
  /** Shipped, then an owner rolled production back from it. */
  | 'rolled-back'
  | 'closed'
  | 'superseded'
  | 'expired';

/**
 * Statuses after which nothing about a build's target can depend on it any more. Whether a
 * build is open (superseded by a newer build, the same build for the same request) is the
 * decider's to say (build.state.ts), from the build's own stream.
 */
export const ENDED_FOR_GOOD_VIEW_STATUSES: readonly BuildViewStatus[] = ['closed', 'superseded', 'expired'];

/** Statuses of builds no one waits for any more: what `status` leaves out of a project's open builds. */
export const NOT_OPEN_VIEW_STATUSES: readonly BuildViewStatus[] = [
  'in-production',
  'replaced',
  'rolled-back',
  'closed',
  'superseded',
  'expired',
];

/**
 * The builds read model as a pure fold: the same function runs in the append transaction
 * and in a replay from zero, which is why both give the same rows. Times come from the
 * events, never from the clock.
 */
export const projectBuild = (row: BuildRow | undefined, event: BuildEvent): BuildRow | undefined => {
  if (event.type === 'BuildRegistered') return registeredRow(event);
  if (!row || event.version <= row.version) return row;
  const next: BuildRow = { ...row, version: event.version };
  const at = event.occurredAt;
  switch (event.type) {
    case 'PreviewDeploymentRequested':
      return changed(next, at, { status: 'preview-deploying' });
    case 'PreviewDeployed':
      return changed(next, at, { status: 'awaiting-qa', failureReason: null });
    case 'PreviewDeploymentFailed':
      return changed(next, at, { status: 'preview-failed', failureReason: event.data.reason });
    case 'QaApproved':
      return changed(next, at, { verdicts: [...row.verdicts, { user: event.data.by, verdict: 'approve', at }] });
    case 'QaRejected': {
      const { by, reason } = event.data;
      const verdict = { user: by, verdict: 'reject' as const, at, ...(reason ? { reason } : {}) };
      return changed(next, at, { status: 'rejected', verdicts: [...row.verdicts, verdict] });
    }
    case 'BuildApproved':
      return changed(next, at, { status: 'approved' });
    case 'ProductionDeploymentRequested':
      return changed(next, at, { status: 'production-deploying', promotedBy: event.data.by, failureReason: null });
    case 'ProductionDeployed':
      return changed(next, at, {
        status: 'in-production',
        productionUrl: event.data.url,
        previewExpiresAt: null,
        release: event.data.release ?? null,
        replacedBy: null,
        replacedByRelease: null,
      });
    case 'ProductionReplaced': {
      const { replacedBy, release, rolledBack } = event.data;
      return changed(next, at, { status: rolledBack ? 'rolled-back' : 'replaced', replacedBy, replacedByRelease: release });
    }
    case 'ProductionDeploymentFailed':
      return changed(next, at, { status: 'production-failed', failureReason: event.data.reason });
    case 'BuildClosed':
      return changed(next, at, { status: 'closed', closedBy: event.data.by, previewExpiresAt: null });
    case 'BuildSuperseded':
      return changed(next, at, { status: 'superseded', supersededBy: event.data.supersededBy, previewExpiresAt: null });
    case 'BuildExpired':
      return changed(next, at, { status: 'expired', expiredBecause: event.data.why, previewExpiresAt: null });
    case 'TimerScheduled':
      return changed(next, at, event.data.kind === 'preview-expiry' ? { previewExpiresAt: event.data.dueAt } : {});
    case 'PreviewKept':
      return changed(next, at, { keptBy: event.data.by, previewExpiresAt: event.data.until });
    case 'PreviewRemoved':
    case 'PreviewTeardownRequested':
    case 'PreviewExpiryReminded':
    case 'ApprovalReminded':
    case 'PreviewTeardownFailed':
    case 'LateOutcomeRecorded':
      return changed(next, at, {});
    case 'ActionDenied':
      return next; // a refusal changes nothing about the build
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

const changed = (row: BuildRow, at: string, patch: Partial<BuildRow> & { status?: BuildViewStatus }): BuildRow => ({
  ...row,
  ...patch,
  updatedAt: at,
});

const registeredRow = (event: Extract<BuildEvent, { type: 'BuildRegistered' }>): BuildRow => ({
  id: event.data.buildId,
  requestId: event.data.requestId,
  project: event.data.project,
  type: event.data.type,
  target: event.data.target,
  image: event.data.image,
  status: 'registered' satisfies BuildViewStatus,
  previewUrl: event.data.previewUrl,
  productionUrl: null,
  verdicts: [],
  approvalsRequired: event.data.approvalsRequired,
  promotedBy: null,
  closedBy: null,
  supersededBy: null,
  failureReason: null,
  previewExpiresAt: null,
  keptBy: null,
  expiredBecause: null,
  release: null,
  replacedBy: null,
  replacedByRelease: null,
  createdAt: event.occurredAt,
  updatedAt: event.occurredAt,
  version: event.version,
});

/** The public view of a row (what the queries answer). */
export const toView = ({ requestId: _requestId, version: _version, ...view }: BuildRow): BuildView => view;
