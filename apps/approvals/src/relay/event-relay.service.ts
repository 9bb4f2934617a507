import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { subjectOfEventType } from '@app/contracts';
import { APP_CONFIG, JETSTREAM_CLIENT, ReadinessRegistry } from '@app/platform';
import type { AppConfig, JetStreamClient } from '@app/platform';
import { OutboxRelay } from './outbox-relay';

/** Runs the outbox relay for the life of the service and reports it to `/readyz`. */
@Injectable()
export class EventRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(JETSTREAM_CLIENT) client: JetStreamClient,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.relay = new OutboxRelay({
      databaseUrl: config.env.DATABASE_URL,
      publisher: client,
      subjectOf: subjectOfEventType,
      logger: new Logger('EventRelay'),
    });
  }

  onApplicationBootstrap(): void {
    this.readiness.register({ name: 'event-relay', check: () => this.relay.isHealthy() });
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
