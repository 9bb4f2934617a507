import type { BuildEvent } from '@app/contracts';
import type { BuildProgress, PreviewState, ProductionState, TeardownState } from './build-snapshot';

/**
 * The notifier's view of a build after one more event. Pure and order-tolerant: a part of the
 * progress is only replaced by an event of a higher stream version, so a redelivered older
 * event (the transport retries a failure after later events went through) changes nothing.
 */
export function evolve(progress: BuildProgress, event: BuildEvent): BuildProgress {
  const version = event.version;
  switch (event.type) {
    case 'BuildRegistered':
    case 'PreviewDeploymentRequested':
      return withPreview(progress, { status: 'deploying', version });
    case 'PreviewDeployed': {
      const { url, digest, pinnedImage } = event.data;
      return withPreview(progress, { status: 'deployed', url, ...given({ digest, pinnedImage }), version });
    }
    case 'PreviewDeploymentFailed': {
      const { reason, cause } = event.data;
      return withPreview(progress, { status: 'failed', reason, ...given({ cause }), version });
    }
    case 'QaApproved': {
      const verdicts = withVerdict(progress, event.data.by, 'approved', version);
      const reached = event.data.approvals.length >= event.data.required;
      return { ...progress, verdicts, approved: progress.approved || reached };
    }
    case 'QaRejected':
      return { ...progress, verdicts: withVerdict(progress, event.data.by, 'rejected', version, event.data.reason) };
    case 'BuildApproved':
      return { ...progress, approved: true };
    case 'ProductionDeploymentRequested': {
      const { by, attempt, image, digest, rollbackOf } = event.data;
      const before = rollbackOf ? progress.production : undefined;
      return withProduction(progress, { status: 'deploying', by, attempt, image, ...given({ digest, rollbackOf, before }), version });
    }
    case 'ProductionDeployed': {
      const { by, url, release, rollbackOf, previous } = event.data;
      const attempt = progress.production?.status === 'deployed' ? progress.production.attempt : progress.production?.attempt;
      return withProduction(progress, {
        status: 'deployed',
        by,
        url,
        ...given({ attempt }),
        ...given(shipped(progress, event.data.digest)),
        ...given({ release, rollbackOf, previous }),
        version,
      });
    }
    case 'ProductionDeploymentFailed': {
      const { by, attempt, reason, cause } = event.data;
      // A rollback that failed leaves the build's production as it was before it.
      const before = progress.production?.status === 'deploying' ? progress.production.before : undefined;
      if (event.data.rollbackOf && before) return withProduction(progress, { ...before, version });
      return withProduction(progress, { status: 'failed', by, attempt, reason, ...given({ cause }), version });
    }
    case 'BuildClosed':
      return progress.ending ? progress : { ...progress, ending: { kind: 'closed', by: event.data.by } };
    case 'BuildSuperseded': {
      const { supersededBy, newImage, reason } = event.data;
      const ending = { kind: 'superseded' as const, by: supersededBy, newImage, ...given({ reason }) };
      return progress.ending ? progress : { ...progress, ending };
    }
    case 'PreviewTeardownRequested':
      return withTeardown(progress, { status: 'requested', why: event.data.reason, version });
    case 'PreviewRemoved':
      return withTeardown(progress, { status: 'removed', ...given({ why: event.data.reason ?? progress.teardown?.why }), version });
    case 'PreviewTeardownFailed': {
      const { reason, cause } = event.data;
      return withTeardown(progress, { status: 'failed', ...given({ why: progress.teardown?.why }), reason, cause, version });
    }
    case 'TimerScheduled': {
      if (event.data.kind !== 'preview-expiry') return progress;
      const current = progress.previewExpiry;
      if (current && current.version > version) return progress;
      return { ...progress, previewExpiry: { ...current, expiresAt: event.data.dueAt, version } };
    }
    case 'PreviewKept': {
      const current = progress.previewExpiry;
      if (current && current.version > version) return progress;
      return { ...progress, previewExpiry: { ...current, expiresAt: event.data.until, keptBy: event.data.by, version } };
    }
    case 'PreviewExpiryReminded': {
      // Only ever forward: a redelivered older reminder must not point the edits back at its reply.
      const current = progress.previewExpiry ?? { expiresAt: event.data.expiresAt, version };
      if (current.remindedFor && Date.parse(current.remindedFor) >= Date.parse(event.data.expiresAt)) return progress;
      return { ...progress, previewExpiry: { ...current, remindedFor: event.data.expiresAt } };
    }
    case 'BuildExpired':
      return progress.ending ? progress : { ...progress, ending: { kind: 'expired', why: event.data.why } };
    case 'ProductionReplaced': {
      const production = progress.production;
      if (production?.status !== 'deployed') return progress;
      const { replacedBy, release, by, rolledBack } = event.data;
      return withProduction(progress, { ...production, replacedBy: { buildId: replacedBy, release, by, rolledBack }, version });
    }
    case 'LateOutcomeRecorded':
    case 'ActionDenied':
    case 'ApprovalReminded':
      return progress;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const withPreview = (progress: BuildProgress, preview: PreviewState): BuildProgress =>
  preview.version >= progress.preview.version ? { ...progress, preview } : progress;

const withProduction = (progress: BuildProgress, production: ProductionState): BuildProgress =>
  production.version >= (progress.production?.version ?? -1) ? { ...progress, production } : progress;

const withTeardown = (progress: BuildProgress, teardown: TeardownState): BuildProgress =>
  teardown.version >= (progress.teardown?.version ?? -1) ? { ...progress, teardown } : progress;

/**
 * What production runs once deployed: the image the deployer was asked for (pinned when the
 * preview reported its digest) and the digest it reported. Should the request not have been
 * seen (a redelivery out of order), what approvals asks for: the preview's pinned image.
 */
function shipped(progress: BuildProgress, digest: string | undefined): { image?: string; digest?: string } {
  const production = progress.production;
  if (production?.status === 'deploying') return { image: production.image, digest: digest ?? production.digest };
  const preview = progress.preview.status === 'deployed' ? progress.preview : undefined;
  return { image: preview?.pinnedImage, digest: digest ?? preview?.digest };
}

/** Only the fields that are set: the snapshot is stored as JSON and compared, so no `undefined` keys. */
function given<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function withVerdict(progress: BuildProgress, user: string, verdict: 'approved' | 'rejected', version: number, reason?: string) {
  const current = progress.verdicts[user];
  if (current && current.version > version) return progress.verdicts;
  return { ...progress.verdicts, [user]: { verdict, ...given({ reason }), version } };
}
