import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TimerKind } from '@app/contracts';
import type { AttemptKind } from '../builds/attempts';
import type { DataSource } from 'typeorm';
import { BuildInputsService } from '../commands/build-inputs.service';
import { DueDeadline, dueDeadlines, removeDeadline } from '../commands/command-tables';
import { EVENT_LOG } from '../database/event-log.provider';
import { APPROVALS_OPTIONS } from '../approvals.options';
import { DeadlineMetrics } from './deadlines.metrics';
import type { ApprovalsOptions } from '../approvals.options';

/**
 * Fires the deadlines of attempts the deployer never answered, and the builds' timers (preview
 * expiry, reminders, approval expiry): every replica looks for rows past due, and records each
 * through the command path under the input id `deadline:<attempt>` or `timer:<timer id>`, so it
 * happens once however many replicas see it. The rows live in Postgres, written with the event
 * that asked for them, so they survive restarts of every service.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Deadlines');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    private readonly inputs: BuildInputsService,
    @Inject(APPROVALS_OPTIONS) private readonly options: ApprovalsOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Fires every deadline that is due; resolves with how many it fired. */
  async fireDue(): Promise<number> {
    let fired = 0;
    for (const due of await dueDeadlines(this.db, 50)) {
      if (this.stopped) break;
      if (isTimer(due.kind)) {
        await this.inputs.timerFired({ inputId: `timer:${due.attemptId}`, buildId: due.buildId, timerId: due.attemptId, kind: due.kind });
      } else {
        await this.inputs.attemptExpired({
          inputId: `deadline:${due.attemptId}`,
          buildId: due.buildId,
          attemptId: due.attemptId,
          kind: due.kind,
          cause: 'deadline',
          reason: deadlineReason({ ...due, kind: due.kind }),
        });
      }
      // Recorded (by this replica or another): the row has done its job either way.
      await removeDeadline(this.db, due.attemptId);
      DeadlineMetrics.fired.inc({ kind: due.kind });
      fired++;
    }
    return fired;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.fireDue()
        .then((fired) => fired > 0 && this.logger.log({ msg: 'deadlines fired', count: fired }))
        .catch((error: Error) => this.logger.warn({ msg: 'cannot fire deadlines now; trying again', error: error.message }))
        .then(() => this.schedule());
    }, this.options.deadlineCheckIntervalMs);
    this.timer.unref();
  }
}

const isTimer = (kind: AttemptKind | TimerKind): kind is TimerKind => TimerKind.safeParse(kind).success;

/** "no answer from the deployer within 6 min" — what the owner and the channel read. */
export function deadlineReason(due: Pick<DueDeadline, 'requestedAt' | 'dueAt'> & { kind: AttemptKind }): string {
  const waited = formatDuration(due.dueAt.getTime() - due.requestedAt.getTime());
  const what =
    due.kind === 'teardown'
      ? 'to remove the preview'
      : due.kind === 'production'
        ? 'for the production deployment'
        : 'for the preview deployment';
  return `no answer from the deployer within ${waited} ${what} (is the deployer running and able to reach the cluster?)`;
}

const formatDuration = (ms: number): string => {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
};
