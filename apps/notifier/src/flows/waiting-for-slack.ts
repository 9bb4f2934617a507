import { Logger } from '@nestjs/common';
import type { BuildEvent } from '@app/contracts';
import { PermanentError, RetryLater } from '@app/platform';
import { SlackCallFailed } from '../slack/slack-call-failed';
import type { SlackReachability } from '../slack/slack-reachability';
import { FlowsMetrics } from './flows.metrics';

/** An event whose messages wait for Slack, in this process. */
interface Waiting {
  occurredAt: number;
  lastSeen: number;
}

/**
 * The events that wait for Slack. A handling that failed because Slack is down (`unavailable`)
 * is not a failure of the event: it is handed back to the transport as `RetryLater` — not
 * counted toward its deliveries, never dead-lettered for it, later events of the build kept
 * behind it — and comes back when Slack is next probed (SlackReachability), for as long as the
 * outage lasts, up to `maxWaitMs` after the event happened (SLACK_OUTAGE_MAX_HOURS). Past that it
 * is dead-lettered with the reason, so nothing waits for ever.
 *
 * Counts what waits for /metrics: how many events, and how old the oldest is.
 */
export class WaitingForSlack {
  private readonly logger = new Logger('WaitingForSlack');
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly reachability: Pick<SlackReachability, 'retryDelayMs'>,
    /** How long after an event its messages may wait for Slack (SLACK_OUTAGE_MAX_HOURS). */
    private readonly maxWaitMs: number,
    /** A waiting event comes back within this long (the longest probe interval); one not back for much longer is no longer waiting here. */
    private readonly maxRetryDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {
    FlowsMetrics.watchWaiting(() => this.summary());
  }

  /**
   * Runs the handling of `event`; an outage becomes RetryLater (or, too late, a dead letter).
   * A `replay` from the dead letters (an operator's `npm run dlq -- replay`, typically of events
   * given up after a long outage) is not held to the event's age: it waits as long as the
   * transport lets any message wait (RETRY_LATER_MAX_AGE_SECONDS from the replay).
   */
  async handle(event: BuildEvent, work: () => Promise<void>, replay = false): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw this.failed(event, error, replay);
    }
    this.waiting.delete(event.id);
  }

  /** Events waiting for Slack in this process, and the age of the oldest (seconds since it happened). */
  summary(): { events: number; oldestAgeSeconds: number } {
    const now = this.now();
    let oldest = now;
    for (const [id, w] of this.waiting) {
      // Handled by another replica, or dead-lettered by the transport: it no longer waits here.
      if (now - w.lastSeen > 2 * this.maxRetryDelayMs + 60_000) this.waiting.delete(id);
      else oldest = Math.min(oldest, w.occurredAt);
    }
    return { events: this.waiting.size, oldestAgeSeconds: Math.max(0, (now - oldest) / 1000) };
  }

  private failed(event: BuildEvent, error: unknown, replay: boolean): unknown {
    if (!(error instanceof SlackCallFailed && error.unavailable)) {
      this.waiting.delete(event.id);
      return error;
    }
    const now = this.now();
    const known = this.waiting.get(event.id);
    const occurredAt = known?.occurredAt ?? (replay ? now : Date.parse(event.occurredAt) || now);
    if (!replay && now - occurredAt > this.maxWaitMs) {
      this.waiting.delete(event.id);
      return new PermanentError(
        `Slack did not answer within ${hours(this.maxWaitMs)} h of this ${event.type} (SLACK_OUTAGE_MAX_HOURS), so its Slack messages were not shown: ${error.message}. ` +
          'Once Slack answers again, replay it (npm run dlq -- replay, docs/operations.md): what is missing is shown, nothing twice',
        { cause: error },
      );
    }
    this.waiting.set(event.id, { occurredAt, lastSeen: now });
    const delayMs = this.reachability.retryDelayMs();
    this.logger.debug({
      msg: `waiting for Slack; back in ${delayMs} ms`,
      eventId: event.id,
      type: event.type,
      buildId: event.data.buildId,
      correlationId: event.correlationId,
      slackError: error.code,
    });
    return new RetryLater(`waiting for Slack: ${error.message}`, { delayMs, cause: error });
  }
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
