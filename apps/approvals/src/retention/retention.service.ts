import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, PeriodicSweep } from '@app/platform';
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
  private schedule?: PeriodicSweep;

  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APPROVALS_OPTIONS) private readonly options: ApprovalsOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.retentionSweepIntervalMs ?? HOUR_MS;
    this.schedule = new PeriodicSweep(() => this.sweep(), { firstMs: Math.min(every, 60_000), everyMs: every }, this.logger);
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }

  /** One sweep; resolves with how many records it deleted. */
  async sweep(): Promise<number> {
    const days = this.config.env.PROCESSED_INPUTS_RETENTION_DAYS;
    const deleted = await forgetProcessedInputs(this.db, days);
    if (deleted > 0) this.logger.log({ msg: 'processed-input records past their retention deleted', deleted, olderThanDays: days });
    return deleted;
  }
}
