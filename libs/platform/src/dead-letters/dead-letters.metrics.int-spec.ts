import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect, headers, NatsConnection } from 'nats';
import { register } from 'prom-client';
import { createTestNats } from '../../../../test/infra/test-infra';
import { until } from '../../test/transport-harness';
import { PlatformModule } from '../bootstrap/platform.module';
import type { AppConfig } from '../config';
import { DeadLetterHeaders } from '../messaging/dead-letters';
import { absoluteSubject } from '../messaging/jetstream.options';
import { ensureStream } from '../messaging/stream-setup';
import { DeadLetterStore } from './dead-letter-store';
import { DeadLetterMetrics, DeadLetterMetricsRefresh, startDeadLetterMetrics } from './dead-letters.metrics';

const valueOf = async (gauge: (typeof DeadLetterMetrics)[keyof typeof DeadLetterMetrics], service: string) =>
  (await gauge.get()).values.find((v) => v.labels.service === service)?.value;

describe('dead-letter metrics', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let nc: NatsConnection;
  const running: DeadLetterMetricsRefresh[] = [];

  beforeEach(async () => {
    nats = await createTestNats();
    nc = await connect({ servers: nats.url });
  });

  afterEach(async () => {
    for (const r of running.splice(0)) r.stop();
    await nc.close();
    await nats.cleanup();
  });

  const metricsOf = (service: string) => {
    const refresher = startDeadLetterMetrics({ connection: () => nc, prefix: nats.prefix, service, intervalMs: 60_000 });
    running.push(refresher);
    return refresher;
  };

  /** A dead letter as the transport writes it. */
  const deadLetter = async (service: string, subject: string) => {
    const h = headers();
    h.set(DeadLetterHeaders.Reason, 'boom');
    h.set(DeadLetterHeaders.Service, service);
    const ack = await nc
      .jetstream()
      .publish(absoluteSubject(nats.prefix, `dlq.${service}.${subject}`), new TextEncoder().encode('{}'), { headers: h });
    return ack.seq;
  };

  it('counts a service’s own dead letters, across its subjects, and not another service’s', async () => {
    await ensureStream(await nc.jetstreamManager(), nats.prefix, 'DLQ');
    await deadLetter('notifier', 'build.registered');
    await deadLetter('notifier', 'build.closed');
    await deadLetter('deployer', 'build.closed');
    const [notifier, deployer] = [metricsOf('notifier'), metricsOf('deployer')];
    expect(await notifier.refresh()).toBe(true);
    expect(await deployer.refresh()).toBe(true);
    expect(await valueOf(DeadLetterMetrics.count, 'notifier')).toBe(2);
    expect(await valueOf(DeadLetterMetrics.count, 'deployer')).toBe(1);
  });

  it('reports the age of the oldest, and follows a removal at the next refresh', async () => {
    await ensureStream(await nc.jetstreamManager(), nats.prefix, 'DLQ');
    const first = await deadLetter('approvals', 'input.qa-verdict');
    await new Promise((r) => setTimeout(r, 1_200));
    await deadLetter('approvals', 'input.qa-verdict');
    const metrics = metricsOf('approvals');
    await metrics.refresh();
    expect(await valueOf(DeadLetterMetrics.count, 'approvals')).toBe(2);
    const age = (await valueOf(DeadLetterMetrics.oldestAgeSeconds, 'approvals'))!;
    expect(age).toBeGreaterThanOrEqual(1.2);
    expect(age).toBeLessThan(10);
    expect(await valueOf(DeadLetterMetrics.refreshedAt, 'approvals')).toBeCloseTo(Date.now() / 1000, -1);

    await new DeadLetterStore(await nc.jetstreamManager(), nats.prefix).remove(first);
    await metrics.refresh();
    expect(await valueOf(DeadLetterMetrics.count, 'approvals')).toBe(1);
    expect(await valueOf(DeadLetterMetrics.oldestAgeSeconds, 'approvals')).toBeLessThan(age);
  });

  it('reads zero before any service created the DLQ stream', async () => {
    const metrics = metricsOf('deployer-z');
    expect(await metrics.refresh()).toBe(true);
    expect(await valueOf(DeadLetterMetrics.count, 'deployer-z')).toBe(0);
    expect(await valueOf(DeadLetterMetrics.oldestAgeSeconds, 'deployer-z')).toBe(0);
  });

  it('is served on /metrics by every service that imports PlatformModule, over the service’s own connection', async () => {
    await ensureStream(await nc.jetstreamManager(), nats.prefix, 'DLQ');
    await deadLetter('gateway', 'input.build-completed');
    const config = {
      env: { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: nats.prefix, SERVICE: 'gateway', LOG_LEVEL: 'silent' },
      projects: {},
    } as unknown as AppConfig;
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config)] }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const text = await until(
        async () => {
          const all = await register.metrics();
          return /deploybot_dead_letters\{service="gateway"\} 1/.test(all) && all;
        },
        8_000,
        'the gauge on /metrics',
      );
      expect(text).toMatch(/deploybot_dead_letter_oldest_age_seconds\{service="gateway"\} \d/);
    } finally {
      await app.close();
    }
  });
});
