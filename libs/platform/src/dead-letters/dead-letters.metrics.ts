import { Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Gauge, register } from 'prom-client';
import { DeadLetterStore } from './dead-letter-store';

const gauge = (name: string, help: string) =>
  (register.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, labelNames: ['service'] });

/** A service's own dead letters, as its DLQ subjects (`dlq.<service>.>`) hold them; every replica exports the same values. */
export const DeadLetterMetrics = {
  count: gauge(
    'deploybot_dead_letters',
    'Dead letters this service gave up that are still in the DLQ stream (not replayed, dropped or expired)',
  ),
  oldestAgeSeconds: gauge('deploybot_dead_letter_oldest_age_seconds', 'Age of the oldest of them, 0 when there is none'),
  refreshedAt: gauge(
    'deploybot_dead_letters_refreshed_timestamp_seconds',
    'When the two gauges above were last read from the stream (unix seconds); stale while NATS is unreachable',
  ),
};

export interface DeadLetterMetricsOptions {
  /** The service's connection when it is usable, else undefined (the refresh is skipped, the gauges keep their values). */
  connection: () => NatsConnection | undefined;
  prefix: string;
  service: string;
  /** Default 30 s: alerts on dead letters are about minutes, and two small requests per refresh cost nothing. */
  intervalMs?: number;
  timeoutMs?: number;
}

export interface DeadLetterMetricsRefresh {
  /** Reads the stream now; resolves false when it could not (no connection, NATS error). */
  refresh(): Promise<boolean>;
  stop(): void;
}

/** Refreshes the gauges from the DLQ stream at once and then every `intervalMs`, until stopped. */
export function startDeadLetterMetrics(options: DeadLetterMetricsOptions): DeadLetterMetricsRefresh {
  const logger = new Logger('DeadLetterMetrics');
  const labels = { service: options.service };
  let failing = false;

  const refresh = async (): Promise<boolean> => {
    const nc = options.connection();
    if (!nc || nc.isClosed()) return false;
    try {
      const store = new DeadLetterStore(await nc.jetstreamManager({ timeout: options.timeoutMs ?? 5_000 }), options.prefix);
      const { count, oldest } = await store.summary(options.service);
      DeadLetterMetrics.count.set(labels, count);
      DeadLetterMetrics.oldestAgeSeconds.set(labels, oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
      DeadLetterMetrics.refreshedAt.set(labels, Date.now() / 1000);
      failing = false;
      return true;
    } catch (error) {
      if (!failing)
        logger.warn(
          `cannot read the ${options.service}'s dead letters for the metrics: ${(error as Error).message}; retrying every ${(options.intervalMs ?? 30_000) / 1000} s`,
        );
      failing = true;
      return false;
    }
  };

  // Until the first read succeeds (the service's connection comes up after bootstrap), try every 2 s.
  const interval = options.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = async () => {
    const ok = await refresh();
    if (!stopped) timer = setTimeout(() => void loop(), ok ? interval : Math.min(interval, 2_000)).unref();
  };
  void loop();
  return { refresh, stop: () => ((stopped = true), clearTimeout(timer)) };
}

/**
 * The Nest side: PlatformModule registers one per service, over the service's JetStreamClient
 * connection (so it connects exactly like the service does). Starts once the application is up.
 */
export class DeadLetterMetricsRefresher implements OnApplicationBootstrap, OnModuleDestroy {
  private running?: DeadLetterMetricsRefresh;

  constructor(private readonly options: DeadLetterMetricsOptions) {}

  onApplicationBootstrap(): void {
    this.running = startDeadLetterMetrics(this.options);
  }

  onModuleDestroy(): void {
    this.running?.stop();
  }
}
