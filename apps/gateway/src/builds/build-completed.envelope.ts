import { randomUUID } from 'node:crypto';
import { BuildCompleted } from '@app/contracts';
import { BuildRequest } from './build-request';

/**
 * The input approvals registers a build from. Before a build exists the CI request is what
 * everything correlates with, so the request id is stream and correlation.
 *
 * The message id (JetStream's `Nats-Msg-Id`) is the request id only for an `Idempotency-Key`
 * request: the same key is the same request, stored once. Without a key every call is its own
 * message and approvals decides: identical to a build that has not ended → that build; the same
 * request after the build ended → a new build (so JetStream must not swallow it as a duplicate).
 */
export function buildCompletedEnvelope(
  request: BuildRequest,
  requestId: string,
  occurredAt: Date,
  keyed: boolean,
  newId: () => string = randomUUID,
): BuildCompleted {
  return {
    id: keyed ? requestId : newId(),
    type: 'BuildCompleted',
    streamId: `build-${requestId}`,
    version: 0,
    occurredAt: occurredAt.toISOString(),
    correlationId: requestId,
    causationId: requestId,
    actor: { kind: 'ci' },
    data: { requestId, ...request, ...(keyed ? { idempotencyKey: true } : {}) },
  };
}
