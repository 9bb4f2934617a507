import { createHash } from 'node:crypto';
import { BuildRequest } from './build-request';

/**
 * The id of a CI request, and so of its BuildCompleted envelope and `Nats-Msg-Id`:
 * a retried request gets the same id and JetStream stores it once.
 *
 * With an `Idempotency-Key` the id follows the key (scoped to the project, so two CI
 * systems that both number their runs from 1 cannot collide); without one it follows
 * what was built: project, type, target and image.
 */
export function requestIdOf(request: BuildRequest, idempotencyKey?: string): string {
  const source =
    idempotencyKey !== undefined
      ? `idempotency-key\n${request.project}\n${idempotencyKey}`
      : `build\n${request.project}|${request.type}|${request.target}|${request.image}`;
  return createHash('sha256').update(source).digest('hex').slice(0, 32);
}
