import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@app/contracts';
import type { BuildEvent } from '@app/contracts';
import { APP_CONFIG, JETSTREAM_CLIENT, JetStreamContext } from '@app/platform';
import type { AppConfig, JetStreamClient } from '@app/platform';
import { DomainEventSubjects, reactionTo, type DeployerWork, type Outcome } from './build-events.reactions';
import { DeploymentsMetrics } from './deployments.metrics';
import { PreviewTeardown } from './preview-teardown.service';
import { WorkloadDeployer } from './workload-deployer.service';

/**
 * The deployer's requests, taken from approvals' domain events (stream EVENTS). What happens to
 * each event type is in `Reactions` (build-events.reactions.ts): the requests are worked on, every
 * other type is acknowledged on purpose (counted, logged at debug). Payloads arrive validated
 * against their subject's schema by the transport.
 *
 * Each request gets exactly one outcome per attempt, published (and acked by JetStream) before
 * the request is acked; a redelivered request re-applies, watches again and reports under the same
 * outcome id, which JetStream deduplicates. At shutdown, work still running after the grace period
 * throws the transport's `Interrupted` and is redelivered without counting against the request.
 *
 * One method for every domain event subject: `@EventPattern` takes a list of patterns and Nest
 * registers the method under each, so the transport still sees one handler per subject (its
 * metrics, retries and dead letters stay per subject).
 */
@Controller()
export class DeploymentRequestsController {
  private readonly logger = new Logger('DeploymentRequests');
  private readonly rolloutTimeoutSeconds: number;

  constructor(
    private readonly deployer: WorkloadDeployer,
    private readonly teardown: PreviewTeardown,
    @Inject(JETSTREAM_CLIENT) private readonly bus: JetStreamClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rolloutTimeoutSeconds = config.env.ROLLOUT_TIMEOUT_SECONDS;
  }

  @EventPattern<string[]>(DomainEventSubjects)
  async onBuildEvent(@Payload() event: BuildEvent, @Ctx() ctx: JetStreamContext): Promise<void> {
    const reaction = reactionTo(event);
    if ('ignore' in reaction) return this.ignore(event, reaction.ignore);
    const result = await reaction.act(this.work(ctx.getShutdownSignal()), event);
    if ('nothingToDo' in result) return this.ignore(event, result.nothingToDo);
    await this.report(result);
  }

  private work(shutdown: AbortSignal): DeployerWork {
    return {
      deploy: (order) => this.deployer.deploy(order, shutdown),
      tearDown: (order) => this.teardown.tearDown(order, shutdown),
      rolloutTimeoutSeconds: this.rolloutTimeoutSeconds,
    };
  }

  private ignore(event: BuildEvent, why: string): void {
    DeploymentsMetrics.ignored.inc({ type: event.type });
    this.logger.debug({
      msg: `${event.type} asks nothing of the deployer: ${why}`,
      eventId: event.id,
      buildId: event.data.buildId,
      correlationId: event.correlationId,
    });
  }

  private async report(outcome: Outcome): Promise<void> {
    await this.bus.publishEvent(subjectOf(outcome), outcome);
    this.logger.log({
      msg: 'outcome reported',
      type: outcome.type,
      id: outcome.id,
      buildId: outcome.data.buildId,
      correlationId: outcome.correlationId,
    });
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
