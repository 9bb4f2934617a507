import { Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, ReadinessRegistry } from '@app/platform';
import { openLedger } from './ledger.data-source';
import { LedgerRetentionService } from './ledger-retention.service';
import { LEDGER_DATA_SOURCE } from './ledger.tokens';
import { PostgresMessageLedger } from './message-ledger.adapter';
import { MESSAGE_LEDGER } from './message-ledger.port';

export { LEDGER_DATA_SOURCE };

/** The MessageLedger in Postgres (DATABASE_URL, schema `notifier`), migrated at start-up, and its retention sweep. */
@Module({
  providers: [
    {
      provide: LEDGER_DATA_SOURCE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => openLedger(config.env.DATABASE_URL),
    },
    { provide: MESSAGE_LEDGER, inject: [LEDGER_DATA_SOURCE], useFactory: (db: DataSource) => new PostgresMessageLedger(db) },
    LedgerRetentionService,
  ],
  exports: [MESSAGE_LEDGER, LEDGER_DATA_SOURCE],
})
export class LedgerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly db: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({ name: 'postgres', check: () => this.db.query('SELECT 1').then(() => true) });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}
