import type { ActionDenied, BuildEvent, BuildRegistered } from '@app/contracts';
import type { BuildFacts } from '../builds/build-snapshot';
import { evolve } from '../builds/build-progress.evolve';
import type { BuildLedger } from '../ledger/message-ledger.port';
import type { EffectRunner } from './effect-runner';
import { planDenial, planNotifications } from './notification.plan';

/** A domain event that moves a build on (every one but a refused click, which needs no build). */
export type ProgressEvent = Exclude<BuildEvent, ActionDenied>;

/**
 * Domain events in, Slack brought in line with them (build-events.reactions.ts says which event
 * goes where). Safe to run again for the same event.
 */
export class NotificationFlows {
  constructor(
    private readonly ledger: BuildLedger,
    private readonly runner: EffectRunner,
  ) {}

  /** Remembers the build, moves its progress on, plans what Slack should show, carries that out. */
  async follow(event: ProgressEvent): Promise<void> {
    if (event.type === 'BuildRegistered') await this.ledger.registerBuild(factsOf(event));
    const build = await this.ledger.updateProgress(event.data.buildId, (progress) => evolve(progress, event));
    if (!build) {
      // Thrown so the transport retries: the build's BuildRegistered may still be on its way (redelivery).
      throw new Error(
        `build ${event.data.buildId} is unknown to the notifier (its BuildRegistered was not handled yet); ${event.type} will be retried`,
      );
    }
    await this.runner.run({ eventId: event.id, buildId: build.facts.buildId }, planNotifications(event, build));
  }

  /** Tells the person whose click was refused why; the build may not exist. */
  answerDenial(event: ActionDenied): Promise<void> {
    return this.runner.run({ eventId: event.id, buildId: event.data.buildId }, planDenial(event));
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
