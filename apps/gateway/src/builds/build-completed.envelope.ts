import { BuildCompleted } from '@app/contracts';
import { BuildRequest } from './build-request';

/**
 * The input approvals registers a build from. Before a build exists the CI request is
 * what everything correlates with, so the request id is id, stream and correlation.
 */
export function buildCompletedEnvelope(request: BuildRequest, requestId: string, occurredAt: Date): BuildCompleted {
  return {
    id: requestId,
    type: 'BuildCompleted',
    streamId: `build-${requestId}`,
    version: 0,
    occurredAt: occurredAt.toISOString(),
    correlationId: requestId,
    causationId: requestId,
    actor: { kind: 'ci' },
    data: { requestId, ...request },
  };
}
