import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { deadLetterSubject, Subjects } from '@app/contracts';
import type { BuildClosed, PreviewDeploymentRequested, PreviewTeardownRequested, ProductionDeploymentRequested } from '@app/contracts';
import { DeadLetterHeaders, JetStreamContext } from '@app/platform';
import type { AttemptKind } from '../builds/attempts';
import { BuildInputsService } from '../commands/build-inputs.service';

type DeployerRequest = PreviewDeploymentRequested | ProductionDeploymentRequested | PreviewTeardownRequested | BuildClosed;

/**
 * The deployer's requests that it dead-lettered (stream DLQ, `dlq.deployer.*`): each ends its
 * attempt as failed, with the dead letter's reason, exactly as a passed deadline does — a build
 * never waits for an answer that will not come. The payload is the original request, validated
 * against its own schema by the transport.
 */
@Controller()
export class DeadLettersController {
  private readonly logger = new Logger('DeadLetters');

  constructor(private readonly inputs: BuildInputsService) {}

  @EventPattern<string>(deadLetterSubject('deployer', Subjects.PreviewDeploymentRequested))
  onPreview(@Payload() request: PreviewDeploymentRequested, @Ctx() ctx: JetStreamContext) {
    return this.expire(request, request.data.attemptId ?? request.id, 'preview', ctx);
  }

  @EventPattern<string>(deadLetterSubject('deployer', Subjects.ProductionDeploymentRequested))
  onProduction(@Payload() request: ProductionDeploymentRequested, @Ctx() ctx: JetStreamContext) {
    return this.expire(request, request.data.attemptId ?? request.id, 'production', ctx);
  }

  @EventPattern<string>(deadLetterSubject('deployer', Subjects.PreviewTeardownRequested))
  onTeardown(@Payload() request: PreviewTeardownRequested, @Ctx() ctx: JetStreamContext) {
    return this.expire(request, request.data.attemptId, 'teardown', ctx);
  }

  /** Only a BuildClosed written before teardown requests existed asked the deployer for work (its id is the attempt). */
  @EventPattern<string>(deadLetterSubject('deployer', Subjects.BuildClosed))
  async onClosed(@Payload() request: BuildClosed, @Ctx() ctx: JetStreamContext) {
    if (request.data.attemptId) return;
    await this.expire(request, request.id, 'teardown', ctx);
  }

  private async expire(request: DeployerRequest, attemptId: string, kind: AttemptKind, ctx: JetStreamContext): Promise<void> {
    const why = ctx.getHeader(DeadLetterHeaders.Reason) ?? 'no reason recorded';
    const handled = await this.inputs.attemptExpired({
      inputId: `dead-letter:${attemptId}`,
      buildId: request.data.buildId,
      attemptId,
      kind,
      cause: 'dead-letter',
      reason: `the deployer gave up on this request: ${why}`,
    });
    this.logger.warn({
      msg: 'deployer request dead-lettered',
      buildId: request.data.buildId,
      attemptId,
      kind,
      reason: why,
      outcome: handled.kind === 'handled' ? handled.note : 'already recorded',
    });
  }
}
