import { Controller, Inject, Logger, Optional } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BuildEvent } from '@app/contracts';
import { JetStreamContext } from '@app/platform';
import { ReplayHeaders } from '@app/platform/dead-letters/replay-headers';
import { HomeRefresher } from '../home/home-refresher';
import { DomainEventSubjects, reactionTo } from './build-events.reactions';
import { FlowsMetrics } from './flows.metrics';
import { NotificationFlows } from './notification.flows';
import { WaitingForSlack } from './waiting-for-slack';

/**
 * The notifier listens to approvals' domain events only (stream EVENTS), so what Slack shows
 * follows the event log. Payloads arrive validated against their subject's schema by the
 * transport; what happens to each type is in `Reactions` (build-events.reactions.ts).
 *
 * One method for every domain event subject: `@EventPattern` takes a list of patterns, and Nest
 * registers the method with the transport under each of them (`server.addHandler(subject, …)`,
 * what `getHandlerByPattern(subject)` finds) — so the list of subjects comes from the map, and
 * no decorator has to be generated or handler registered by hand. The transport still sees one
 * handler per subject (its metrics, retries and dead letters stay per subject).
 *
 * While Slack is down an event waits for it instead of failing (WaitingForSlack). Once handled, the
 * Homes of the build's people who opened it are republished (HomeRefresher).
 */
@Controller()
export class BuildEventsController {
  private readonly logger = new Logger('BuildEvents');

  constructor(
    @Inject(NotificationFlows) private readonly flows: NotificationFlows,
    @Inject(WaitingForSlack) private readonly waiting: WaitingForSlack,
    /** Absent in unit specs of the flows alone. */
    @Optional() @Inject(HomeRefresher) private readonly homes?: HomeRefresher,
  ) {}

  @EventPattern<string[]>(DomainEventSubjects)
  async onBuildEvent(@Payload() event: BuildEvent, @Ctx() ctx?: JetStreamContext): Promise<void> {
    const reaction = reactionTo(event);
    const replay = ctx?.getHeader(ReplayHeaders.For) !== undefined;
    if ('handle' in reaction) {
      await this.waiting.handle(event, () => reaction.handle(this.flows, event), replay);
      // After the messages, and not awaited: a Home refresh never holds up, nor fails, the event.
      void this.homes?.afterHandled(event);
      return;
    }
    FlowsMetrics.showedNothing.inc({ type: event.type });
    this.logger.debug({
      msg: `${event.type} shows nothing: ${reaction.showsNothing}`,
      eventId: event.id,
      buildId: event.data.buildId,
      correlationId: event.correlationId,
    });
  }
}
