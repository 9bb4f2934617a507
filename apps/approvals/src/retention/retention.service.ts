import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { APPROVALS_OPTIONS, type ApprovalsOptions } from '../approvals.options';
import { EVENT_LOG } from '../database/event-log.provider';
import { forgetProcessedInputs } from './processed-inputs.retention';

const HOUR_MS = 3_600_000;

/**
 * Deletes processed-input records older than PROCESSED_INPUTS_RETENTION_DAYS, hourly on every
 * replica (a DELETE two replicas run at once deletes each row once; nothing needs a lock). A
 * failed sweep is logged and tried again at the next one: nothing waits on it.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APPROVALS_OPTIONS) private readonly options: ApprovalsOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.retentionSweepIntervalMs ?? HOUR_MS;
    this.timer = setTimeout(() => this.tick(every), Math.min(every, 60_000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep; resolves with how many records it deleted. */
  async sweep(): Promise<number> {
    const days = this.config.env.PROCESSED_INPUTS_RETENTION_DAYS;
    const deleted = await forgetProcessedInputs(this.db, days);
    if (deleted > 0) this.logger.log({ msg: 'processed-input records past their retention deleted', deleted, olderThanDays: days });
    return deleted;
  }

  private tick(every: number): void {
    this.running = this.sweep()
      .catch((error) => this.logger.warn({ msg: 'retention sweep failed; trying again at the next one', error: (error as Error).message }))
      .finally(() => {
        if (this.timer) {
          this.timer = setTimeout(() => this.tick(every), every);
          this.timer.unref();
        }
      });
  }
}
