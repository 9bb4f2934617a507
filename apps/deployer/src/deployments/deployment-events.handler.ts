import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@app/contracts';
import type {
  BuildClosed,
  DeploymentFailed,
  DeploymentSucceeded,
  PreviewDeploymentRequested,
  PreviewTornDown,
  ProductionDeploymentRequested,
} from '@app/contracts';
import { JETSTREAM_CLIENT } from '@app/platform';
import type { JetStreamClient } from '@app/platform';
import { previewOrder, productionOrder } from './deployment-orders';
import { PreviewTeardown } from './preview-teardown.service';
import { WorkloadDeployer } from './workload-deployer.service';

type Outcome = DeploymentSucceeded | DeploymentFailed | PreviewTornDown;

/**
 * Approvals' domain events that ask the deployer for work. Each handler reports exactly one
 * outcome, published (and acked by JetStream) before the request is acked; a redelivered
 * request re-applies, watches again and reports under the same outcome id, which JetStream
 * deduplicates.
 */
@Controller()
export class DeploymentEventsHandler {
  private readonly logger = new Logger('DeploymentEventsHandler');

  constructor(
    private readonly deployer: WorkloadDeployer,
    private readonly teardown: PreviewTeardown,
    @Inject(JETSTREAM_CLIENT) private readonly bus: JetStreamClient,
  ) {}

  @EventPattern<string>(Subjects.PreviewDeploymentRequested)
  async onPreviewRequested(@Payload() event: PreviewDeploymentRequested): Promise<void> {
    await this.report(await this.deployer.deploy(previewOrder(event)));
  }

  @EventPattern<string>(Subjects.ProductionDeploymentRequested)
  async onProductionRequested(@Payload() event: ProductionDeploymentRequested): Promise<void> {
    await this.report(await this.deployer.deploy(productionOrder(event)));
  }

  @EventPattern<string>(Subjects.BuildClosed)
  async onBuildClosed(@Payload() event: BuildClosed): Promise<void> {
    await this.report(await this.teardown.tearDown(event));
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
