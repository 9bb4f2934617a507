import { DynamicModule, Global, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { AppConfig, APP_CONFIG, natsAuthOf } from '../config';
import { DeadLetterMetricsRefresher } from '../dead-letters';
import { JetStreamClient } from '../messaging';
import { ObservabilityModule, ReadinessRegistry } from '../observability';

/** DI token of the service's JetStreamClient (publish with ack, request/reply). */
export const JETSTREAM_CLIENT = Symbol('JETSTREAM_CLIENT');

/** Configuration, logs, health and the NATS client: what every service is built on. */
@Global()
@Module({})
export class PlatformModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    const client = new JetStreamClient({
      servers: config.env.NATS_URL.split(',').map((s) => s.trim()),
      prefix: config.env.NATS_SUBJECT_PREFIX,
      name: `${config.env.SERVICE}-client`,
      auth: natsAuthOf(config.env),
      streamReplicas: config.env.NATS_STREAM_REPLICAS,
    });
    return {
      module: PlatformModule,
      imports: [ObservabilityModule.forService(config.env.SERVICE, config.env.LOG_LEVEL)],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: JETSTREAM_CLIENT, useValue: client },
        // deploybot_dead_letters{service} and its oldest age, read over the client's connection.
        {
          provide: DeadLetterMetricsRefresher,
          useValue: new DeadLetterMetricsRefresher({
            connection: () => (client.isReady() ? client.unwrap<NatsConnection>() : undefined),
            prefix: config.env.NATS_SUBJECT_PREFIX,
            service: config.env.SERVICE,
          }),
        },
      ],
      exports: [APP_CONFIG, JETSTREAM_CLIENT],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register({ name: 'nats', check: () => this.client.isReady() });
    // Connect in the background: NATS being down at start must not stop the HTTP side from answering.
    this.client.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
