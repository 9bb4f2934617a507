import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BuildEvent, BuildEventType } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { LEDGER_DATA_SOURCE } from '../ledger/ledger.tokens';
import { homeOpenersOfBuild } from './home-openers.table';
import { HomePublisher } from './home-publisher.service';

/**
 * The events that change what a Home shows: what waits for whom, the previews that are up, what
 * production runs. Others (requests to the deployer, timers, reminders, denials) change nothing there.
 */
export const HOME_CHANGING_EVENTS: ReadonlySet<BuildEventType> = new Set<BuildEventType>([
  'PreviewDeployed',
  'PreviewDeploymentFailed',
  'QaApproved',
  'QaRejected',
  'BuildApproved',
  'ProductionDeployed',
  'ProductionDeploymentFailed',
  'BuildClosed',
  'BuildSuperseded',
  'PreviewRemoved',
  'BuildExpired',
]);

/**
 * "Refreshed when it changes": after the notifier handled a build event that changes Homes, it
 * republishes the Home of the build's people — its QA members and owners, as the ledger registered them — who have
 * opened it before (`notifier.home_openers`). Bounded by the project's people; a person who never
 * opened the tab costs nothing. Best effort: a failure is logged, the event is not retried for it
 * (the next change, or opening the tab, publishes again).
 */
@Injectable()
export class HomeRefresher {
  private readonly logger = new Logger('AppHome');

  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly db: DataSource,
    @Inject(HomePublisher) private readonly publisher: HomePublisher,
  ) {}

  async afterHandled(event: BuildEvent): Promise<void> {
    const buildId = event.data.buildId;
    if (!HOME_CHANGING_EVENTS.has(event.type) || buildId === undefined) return;
    try {
      const people = await homeOpenersOfBuild(this.db, buildId);
      for (const user of people) await this.publisher.publish(user, event.type);
    } catch (error) {
      this.logger.warn({
        msg: 'could not refresh homes',
        eventId: event.id,
        correlationId: event.correlationId,
        reason: (error as Error).message,
      });
    }
  }
}
