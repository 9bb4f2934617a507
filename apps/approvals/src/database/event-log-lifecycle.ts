import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { EVENT_LOG } from './event-log.provider';

/** Closes the pool last, after the consumers drained and the relay stopped. */
@Injectable()
export class EventLogLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_LOG) private readonly db: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}
