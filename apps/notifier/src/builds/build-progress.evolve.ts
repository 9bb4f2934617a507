import type { BuildEvent } from '@app/contracts';
import type { BuildProgress, PreviewState, ProductionState } from './build-snapshot';

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
    case 'PreviewDeployed':
      return withPreview(progress, { status: 'deployed', url: event.data.url, version });
    case 'PreviewDeploymentFailed':
      return withPreview(progress, { status: 'failed', reason: event.data.reason, version });
    case 'QaApproved': {
      const verdicts = withVerdict(progress, event.data.by, 'approved', version);
      const reached = event.data.approvals.length >= event.data.required;
      return { ...progress, verdicts, approved: progress.approved || reached };
    }
    case 'QaRejected':
      return { ...progress, verdicts: withVerdict(progress, event.data.by, 'rejected', version) };
    case 'BuildApproved':
      return { ...progress, approved: true };
    case 'ProductionDeploymentRequested':
      return withProduction(progress, { status: 'deploying', by: event.data.by, attempt: event.data.attempt, version });
    case 'ProductionDeployed':
      return withProduction(progress, { status: 'deployed', by: event.data.by, url: event.data.url, version });
    case 'ProductionDeploymentFailed': {
      const { by, attempt, reason } = event.data;
      return withProduction(progress, { status: 'failed', by, attempt, reason, version });
    }
    case 'BuildClosed':
      return progress.ending ? progress : { ...progress, ending: { kind: 'closed', by: event.data.by } };
    case 'BuildSuperseded': {
      const ending = { kind: 'superseded' as const, by: event.data.supersededBy, newImage: event.data.newImage };
      return progress.ending ? progress : { ...progress, ending };
    }
    case 'PreviewRemoved':
    case 'PreviewTeardownRequested':
    case 'PreviewTeardownFailed':
    case 'LateOutcomeRecorded':
    case 'ActionDenied':
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

function withVerdict(progress: BuildProgress, user: string, verdict: 'approved' | 'rejected', version: number) {
  const current = progress.verdicts[user];
  if (current && current.version > version) return progress.verdicts;
  return { ...progress.verdicts, [user]: { verdict, version } };
}
