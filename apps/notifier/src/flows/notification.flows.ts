import type { BuildEvent, BuildRegistered } from '@app/contracts';
import type { BuildFacts } from '../builds/build-snapshot';
import { evolve } from '../builds/build-progress.evolve';
import type { MessageLedger } from '../ledger/message-ledger';
import type { EffectRunner } from './effect-runner';
import { planDenial, planNotifications } from './notification.plan';

/**
 * One domain event in, Slack brought in line with it: remember the build, move its progress
 * on, plan what Slack should show, carry that out. Safe to run again for the same event.
 */
export class NotificationFlows {
  constructor(
    private readonly ledger: MessageLedger,
    private readonly runner: EffectRunner,
  ) {}

  async handle(event: BuildEvent): Promise<void> {
    if (event.type === 'ActionDenied') {
      return this.runner.run({ eventId: event.id, buildId: event.data.buildId }, planDenial(event));
    }
    if (event.type === 'BuildRegistered') await this.ledger.registerBuild(factsOf(event));
    const build = await this.ledger.updateProgress(event.data.buildId, (progress) => evolve(progress, event));
    if (!build) {
      // Thrown so the transport retries: the build's BuildRegistered may still be on its way (redelivery).
      throw new Error(`build ${event.data.buildId} is unknown to the notifier (its BuildRegistered was not handled yet); ${event.type} will be retried`);
    }
    await this.runner.run({ eventId: event.id, buildId: build.facts.buildId }, planNotifications(event, build));
  }
}

function factsOf(event: BuildRegistered): BuildFacts {
  const d = event.data;
  return {
    buildId: d.buildId,
    project: d.project,
    projectName: d.projectName,
    type: d.type,
    target: d.target,
    image: d.image,
    previewUrl: d.previewUrl,
    productionUrl: d.productionUrl,
    channel: d.channel,
    qa: d.qa,
    owners: d.owners,
    approvalsRequired: d.approvalsRequired,
  };
}
