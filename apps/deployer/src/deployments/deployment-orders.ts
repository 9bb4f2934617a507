import type { PreviewDeploymentRequested, ProductionDeploymentRequested } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';

/** A preview of the build's branch or tag, at the URL approvals chose for it. */
export const previewOrder = (event: PreviewDeploymentRequested): DeploymentOrder => ({
  requestId: event.id,
  buildId: event.data.buildId,
  correlationId: event.correlationId,
  identity: { environment: 'preview', project: event.data.project, type: event.data.type, target: event.data.target },
  image: event.data.image,
  url: event.data.url,
  requestedAt: event.occurredAt,
});

/** The same image, promoted to the project's own URL. */
export const productionOrder = (event: ProductionDeploymentRequested): DeploymentOrder => ({
  requestId: event.id,
  buildId: event.data.buildId,
  correlationId: event.correlationId,
  identity: { environment: 'production', project: event.data.project },
  image: event.data.image,
  url: event.data.url,
  requestedAt: event.occurredAt,
});
