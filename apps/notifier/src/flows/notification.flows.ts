import { Logger } from '@nestjs/common';
import type { ActionDenied, BuildEvent, BuildRegistered } from '@app/contracts';
import type { BuildFacts } from '../builds/build-snapshot';
import { evolve } from '../builds/build-progress.evolve';
import type { BuildLedger } from '../ledger/message-ledger.port';
import type { EffectCause, EffectRunner } from './effect-runner';
import { FlowsMetrics } from './flows.metrics';
import type { NotificationEffect } from './notification-effects';
import { planDenial, planNotifications } from './notification.plan';

/**
 * How many times one handling reads its build again after its edits. Each round only runs when
 * another handling of the build changed it meanwhile; that handling checks after its own edits.
 */
export const CATCH_UP_ROUNDS = 5;

/** A domain event that moves a build on (every one but a refused click, which needs no build). */
export type ProgressEvent = Exclude<BuildEvent, ActionDenied>;

/**
 * Domain events in, Slack brought in line with them (build-events.reactions.ts says which event
 * goes where). Safe to run again for the same event.
 */
export class NotificationFlows {
  private readonly logger = new Logger('NotificationFlows');

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
    const cause = { eventId: event.id, buildId: build.facts.buildId };
    const effects = planNotifications(event, build);
    await this.runner.run(cause, effects);
    await this.catchUp(event, cause, effects);
  }

  /**
   * Edits never go backwards (docs/reliability.md F8). Two handlings of one build can overlap in
   * time — a replica paused or stuck in Slack's rate limits while its event was redelivered and
   * handled elsewhere, and the build's next events after it — and then an edit rendered from an
   * older snapshot reaches Slack after one rendered from a newer snapshot. Slack has no
   * conditional update, so the handling whose edit lands last puts it right: once its edits have
   * landed it reads the build again and edits once more every message it showed that the newer
   * snapshot renders differently. Whichever edit lands last, its handling looks afterwards.
   */
  private async catchUp(event: ProgressEvent, cause: EffectCause, sent: NotificationEffect[]): Promise<void> {
    let shown = shownContent(sent);
    if (shown.size === 0) return;
    for (let round = 1; round <= CATCH_UP_ROUNDS; round++) {
      const latest = await this.ledger.findBuild(cause.buildId!);
      if (!latest) return;
      const stale = staleEdits(shown, planNotifications(event, latest));
      if (stale.length === 0) return;
      FlowsMetrics.caughtUp.inc({ type: event.type });
      this.logger.log({
        msg: `the build changed while ${event.type} was shown; editing ${stale.length} message(s) again to its latest state`,
        ...cause,
        round,
        messages: stale.map((e) => e.message),
      });
      await this.runner.run(cause, stale);
      shown = new Map([...shown, ...shownContent(stale)]);
    }
    this.logger.warn({
      msg: `the build kept changing while ${event.type} was shown; the handlings still running edit its messages`,
      ...cause,
    });
  }

  /** Tells the person whose click was refused why; the build may not exist. */
  answerDenial(event: ActionDenied): Promise<void> {
    return this.runner.run({ eventId: event.id, buildId: event.data.buildId }, planDenial(event));
  }
}

type TrackedEdit = Extract<NotificationEffect, { kind: 'edit' }>;

/** What each tracked message was given to show (posted or edited), by message key. */
function shownContent(effects: NotificationEffect[]): Map<string, string> {
  const shown = new Map<string, string>();
  for (const effect of effects)
    if (effect.kind === 'show' || effect.kind === 'edit') shown.set(effect.message, JSON.stringify(effect.content));
  return shown;
}

/** Edits of the messages in `shown` whose content the plan from a newer snapshot renders differently. */
function staleEdits(shown: Map<string, string>, replanned: NotificationEffect[]): TrackedEdit[] {
  const edits = new Map<string, TrackedEdit>();
  for (const effect of replanned) {
    if (effect.kind !== 'show' && effect.kind !== 'edit') continue;
    const before = shown.get(effect.message);
    if (before === undefined || before === JSON.stringify(effect.content)) continue;
    edits.set(effect.message, { kind: 'edit', message: effect.message, content: effect.content });
  }
  return [...edits.values()];
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
