import type { BuildClosed, DeploymentFailed, DeploymentSucceeded, PreviewTornDown } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';

const DEPLOYER = { kind: 'service', name: 'deployer' } as const;

/**
 * The id of the one outcome of a request. Deterministic, and the same for success and failure:
 * a request redelivered after the outcome was published reports again under the same
 * `Nats-Msg-Id`, and JetStream keeps only the first (within its duplicate window).
 */
export const outcomeId = (requestId: string): string => `${requestId}:outcome`;

const streamOf = (buildId: string): string => `build-${buildId}`;

interface Common {
  id: string;
  streamId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  actor: typeof DEPLOYER;
}

const common = (requestId: string, buildId: string, correlationId: string, occurredAt: Date): Common => ({
  id: outcomeId(requestId),
  streamId: streamOf(buildId),
  version: 0,
  occurredAt: occurredAt.toISOString(),
  correlationId,
  causationId: requestId,
  actor: DEPLOYER,
});

export const deploymentSucceeded = (order: DeploymentOrder, where: { namespace: string; name: string }, occurredAt: Date): DeploymentSucceeded => ({
  ...common(order.requestId, order.buildId, order.correlationId, occurredAt),
  type: 'DeploymentSucceeded',
  data: { buildId: order.buildId, requestId: order.requestId, environment: order.identity.environment, url: order.url, ...where },
});

export const deploymentFailed = (order: DeploymentOrder, reason: string, where: { namespace?: string; name?: string }, occurredAt: Date): DeploymentFailed => ({
  ...common(order.requestId, order.buildId, order.correlationId, occurredAt),
  type: 'DeploymentFailed',
  data: { buildId: order.buildId, requestId: order.requestId, environment: order.identity.environment, reason: truncate(reason), ...where },
});

export const previewTornDown = (closed: BuildClosed, namespace: string, deleted: string[], occurredAt: Date): PreviewTornDown => ({
  ...common(closed.id, closed.data.buildId, closed.correlationId, occurredAt),
  type: 'PreviewTornDown',
  data: { buildId: closed.data.buildId, requestId: closed.id, namespace, deleted },
});

/** Kubelet messages can be long; Slack shows the start. */
const truncate = (reason: string, max = 2_000): string => (reason.length > max ? `${reason.slice(0, max - 1)}…` : reason);
