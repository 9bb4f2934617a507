import { buildStreamId, type DeploymentFailed, type DeploymentSucceeded, type PreviewTornDown } from '@app/contracts';
import type { DeploymentOrder } from '../manifests/deployment-order';
import type { RunningImage } from '../rollout/running-image';
import type { TeardownOrder } from './deployment-orders';

const DEPLOYER = { kind: 'service', name: 'deployer' } as const;

/**
 * The id of the one outcome of an attempt. Deterministic, and the same for success and failure:
 * a request redelivered after the outcome was published reports again under the same
 * `Nats-Msg-Id`, and JetStream keeps only the first (within its duplicate window).
 */
export const outcomeId = (requestId: string): string => `${requestId}:outcome`;

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
  streamId: buildStreamId(buildId),
  version: 0,
  occurredAt: occurredAt.toISOString(),
  correlationId,
  causationId: requestId,
  actor: DEPLOYER,
});

interface Where {
  namespace: string;
  name: string;
}

/** `image` is what the ready pods run; absent when the cluster reported no digest. */
export const deploymentSucceeded = (
  order: DeploymentOrder,
  where: Where,
  image: RunningImage | undefined,
  occurredAt: Date,
): DeploymentSucceeded => ({
  ...common(order.requestId, order.buildId, order.correlationId, occurredAt),
  type: 'DeploymentSucceeded',
  data: {
    buildId: order.buildId,
    requestId: order.requestId,
    environment: order.identity.environment,
    url: order.url,
    ...where,
    ...(image ? { digest: image.digest, imageId: image.imageId } : {}),
  },
});

export const deploymentFailed = (
  order: DeploymentOrder,
  reason: string,
  where: Partial<Where>,
  occurredAt: Date,
  options: { superseded?: boolean } = {},
): DeploymentFailed => ({
  ...common(order.requestId, order.buildId, order.correlationId, occurredAt),
  type: 'DeploymentFailed',
  data: {
    buildId: order.buildId,
    requestId: order.requestId,
    environment: order.identity.environment,
    reason: truncate(reason),
    ...where,
    ...(options.superseded ? { superseded: true } : {}),
  },
});

export const previewTornDown = (order: TeardownOrder, namespace: string, deleted: string[], occurredAt: Date): PreviewTornDown => ({
  ...common(order.requestId, order.buildId, order.correlationId, occurredAt),
  type: 'PreviewTornDown',
  data: { buildId: order.buildId, requestId: order.requestId, namespace, deleted },
});

/** Kubelet messages can be long; Slack shows the start. */
const truncate = (reason: string, max = 2_000): string => (reason.length > max ? `${reason.slice(0, max - 1)}…` : reason);
