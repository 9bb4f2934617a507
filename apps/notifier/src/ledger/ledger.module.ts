import { Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, ReadinessRegistry } from '@app/platform';
import { openLedger } from './ledger.data-source';
import { MessageLedger } from './message-ledger';

export const LEDGER_DATA_SOURCE = Symbol('LEDGER_DATA_SOURCE');

/** The message ledger in Postgres (DATABASE_URL, schema `notifier`), migrated at start-up. */
@Module({
  providers: [
    {
      provide: LEDGER_DATA_SOURCE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => openLedger(config.env.DATABASE_URL),
    },
    { provide: MessageLedger, inject: [LEDGER_DATA_SOURCE], useFactory: (db: DataSource) => new MessageLedger(db) },
  ],
  exports: [MessageLedger],
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
