import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@app/platform';
import type { DataSource } from 'typeorm';
import { EVENT_LOG } from './event-log.provider';

/** `/readyz` says down when the event log's database does not answer. */
@Injectable()
export class PostgresReadiness implements OnApplicationBootstrap {
  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({ name: 'postgres', check: async () => (await this.db.query('SELECT 1 AS up'))[0]?.up === 1 });
  }
}
