import type { BuildClosed, PreviewDeploymentRequested, PreviewTeardownRequested, ProductionDeploymentRequested } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';
import type { PreviewIdentity } from '../naming/naming';

/** One preview to remove: the build's objects only. */
export interface TeardownOrder {
  /** The teardown attempt, quoted back in PreviewTornDown. */
  requestId: string;
  buildId: string;
  correlationId: string;
  identity: PreviewIdentity;
}

/**
 * The attempt an outcome answers: `attemptId`, or — for requests written before attempt ids
 * existed — the event's own id, which is what older deployers quoted and approvals upcasts to.
 */
const attemptOf = (event: { id: string; data: { attemptId?: string } }): string => event.data.attemptId ?? event.id;

/**
 * The rollout deadline is absolute and belongs to the request: a redelivery, or a deployer
 * that waited for the workload, does not start a new one. Old requests carry none: their
 * deadline is ROLLOUT_TIMEOUT_SECONDS after they were made.
 */
const deadlineOf = (event: { occurredAt: string; data: { rolloutDeadline?: string } }, rolloutTimeoutSeconds: number): string =>
  event.data.rolloutDeadline ?? new Date(Date.parse(event.occurredAt) + rolloutTimeoutSeconds * 1000).toISOString();

/** A preview of the build's branch or tag, at the URL approvals chose for it. */
export const previewOrder = (event: PreviewDeploymentRequested, rolloutTimeoutSeconds: number): DeploymentOrder => ({
  requestId: attemptOf(event),
  buildId: event.data.buildId,
  correlationId: event.correlationId,
  identity: { environment: 'preview', project: event.data.project, type: event.data.type, target: event.data.target },
  image: event.data.image,
  url: event.data.url,
  requestedAt: event.occurredAt,
  rolloutDeadline: deadlineOf(event, rolloutTimeoutSeconds),
});

/** The image approvals names — `repository@sha256:…` when the preview reported its digest — at the project's own URL. */
export const productionOrder = (event: ProductionDeploymentRequested, rolloutTimeoutSeconds: number): DeploymentOrder => ({
  requestId: attemptOf(event),
  buildId: event.data.buildId,
  correlationId: event.correlationId,
  identity: { environment: 'production', project: event.data.project },
  image: event.data.image,
  url: event.data.url,
  requestedAt: event.occurredAt,
  rolloutDeadline: deadlineOf(event, rolloutTimeoutSeconds),
});

export const teardownOrder = (event: PreviewTeardownRequested | BuildClosed): TeardownOrder => ({
  requestId: attemptOf(event),
  buildId: event.data.buildId,
  correlationId: event.correlationId,
  identity: { environment: 'preview', project: event.data.project, type: event.data.type, target: event.data.target },
});
