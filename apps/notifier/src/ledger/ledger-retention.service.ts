import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, PeriodicSweep } from '@app/platform';
import { forgetSlackEffects } from './effects.retention';
import { LEDGER_DATA_SOURCE } from './ledger.tokens';

const HOUR_MS = 3_600_000;

/**
 * Deletes finished Slack effects older than SLACK_EFFECTS_RETENTION_DAYS (see
 * {@link forgetSlackEffects}), a minute after start and then hourly, on every replica (a DELETE
 * two replicas run at once deletes each row once). A failed sweep is logged and tried again.
 */
@Injectable()
export class LedgerRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly schedule = new PeriodicSweep(() => this.sweep(), { firstMs: 60_000, everyMs: HOUR_MS }, this.logger);

  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
  }

  /** One sweep; resolves with how many effect records it deleted. */
  async sweep(): Promise<number> {
    const days = this.config.env.SLACK_EFFECTS_RETENTION_DAYS;
    const deleted = await forgetSlackEffects(this.db, days);
    if (deleted > 0) this.logger.log({ msg: 'Slack effect records past their retention deleted', deleted, olderThanDays: days });
    return deleted;
  }
}
