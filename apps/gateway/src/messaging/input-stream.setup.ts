import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { APP_CONFIG, ensureStream, JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import type { AppConfig } from '@app/platform';

const RETRY_MS = 2_000;

/**
 * Makes sure the INPUTS stream exists, so CI can be answered 202 even before approvals
 * ever started (approvals creates it too; creating it is idempotent). Runs in the
 * background and retries while NATS is away: the HTTP side answers meanwhile (503).
 */
@Injectable()
export class InputStreamSetup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('InputStreamSetup');
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /** Resolves once the stream exists (tests wait on it). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    @Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  onApplicationBootstrap(): void {
    void this.attempt();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const nc: NatsConnection = await this.client.connect();
      const jsm = await nc.jetstreamManager({ timeout: RETRY_MS });
      await ensureStream(jsm, this.config.env.NATS_SUBJECT_PREFIX, 'INPUTS');
      this.markReady();
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(`cannot ensure the INPUTS stream yet (${(error as Error).message}); retrying in ${RETRY_MS} ms`);
      this.timer = setTimeout(() => void this.attempt(), RETRY_MS);
    }
  }
}
