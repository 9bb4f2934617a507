import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@app/contracts';
import type {
  BuildClosed,
  DeploymentFailed,
  DeploymentSucceeded,
  PreviewDeploymentRequested,
  PreviewTeardownRequested,
  PreviewTornDown,
  ProductionDeploymentRequested,
} from '@app/contracts';
import { APP_CONFIG, JETSTREAM_CLIENT, JetStreamContext } from '@app/platform';
import type { AppConfig, JetStreamClient } from '@app/platform';
import { previewOrder, productionOrder, teardownOrder } from './deployment-orders';
import { PreviewTeardown } from './preview-teardown.service';
import { WorkloadDeployer } from './workload-deployer.service';

type Outcome = DeploymentSucceeded | DeploymentFailed | PreviewTornDown;

/**
 * Approvals' domain events that ask the deployer for work. Each handler reports exactly one
 * outcome per attempt, published (and acked by JetStream) before the request is acked; a
 * redelivered request re-applies, watches again and reports under the same outcome id, which
 * JetStream deduplicates. At shutdown, work still running after the grace period throws the
 * transport's `Interrupted` and is redelivered without counting against the request.
 */
@Controller()
export class DeploymentEventsHandler {
  private readonly logger = new Logger('DeploymentEventsHandler');
  private readonly rolloutTimeoutSeconds: number;

  constructor(
    private readonly deployer: WorkloadDeployer,
    private readonly teardown: PreviewTeardown,
    @Inject(JETSTREAM_CLIENT) private readonly bus: JetStreamClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rolloutTimeoutSeconds = config.env.ROLLOUT_TIMEOUT_SECONDS;
  }

  @EventPattern<string>(Subjects.PreviewDeploymentRequested)
  async onPreviewRequested(@Payload() event: PreviewDeploymentRequested, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.report(await this.deployer.deploy(previewOrder(event, this.rolloutTimeoutSeconds), ctx.getShutdownSignal()));
  }

  @EventPattern<string>(Subjects.ProductionDeploymentRequested)
  async onProductionRequested(@Payload() event: ProductionDeploymentRequested, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.report(await this.deployer.deploy(productionOrder(event, this.rolloutTimeoutSeconds), ctx.getShutdownSignal()));
  }

  @EventPattern<string>(Subjects.PreviewTeardownRequested)
  async onTeardownRequested(@Payload() event: PreviewTeardownRequested, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.report(await this.teardown.tearDown(teardownOrder(event), ctx.getShutdownSignal()));
  }

  /**
   * Written by older versions, a BuildClosed (no `attemptId`) was the teardown request itself.
   * A newer one is followed by a PreviewTeardownRequested: tearing down on both would be double work.
   */
  @EventPattern<string>(Subjects.BuildClosed)
  async onBuildClosed(@Payload() event: BuildClosed, @Ctx() ctx: JetStreamContext): Promise<void> {
    if (event.data.attemptId) return;
    await this.report(await this.teardown.tearDown(teardownOrder(event), ctx.getShutdownSignal()));
  }

  private async report(outcome: Outcome): Promise<void> {
    await this.bus.publishEvent(subjectOf(outcome), outcome);
    this.logger.log({ msg: 'outcome reported', type: outcome.type, id: outcome.id, buildId: outcome.data.buildId, correlationId: outcome.correlationId });
  }
}

function subjectOf(outcome: Outcome): string {
  switch (outcome.type) {
    case 'DeploymentSucceeded':
      return Subjects.DeploymentSucceeded;
    case 'DeploymentFailed':
      return Subjects.DeploymentFailed;
    case 'PreviewTornDown':
      return Subjects.PreviewTornDown;
    default: {
      const _exhaustive: never = outcome;
      throw new Error(`no subject for ${JSON.stringify(_exhaustive)}`);
    }
  }
}
