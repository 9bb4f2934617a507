import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';
import { connect, NatsConnection } from 'nats';
import pg from 'pg';
import { RetryLater } from '@app/platform';
import { createTestNats } from '../../../../test/infra/test-infra';
import { buildEvent, deliveries, startRecordingService, TestSubjects, until } from '../../test/transport-harness';
import { DeadLetterHeaders } from './dead-letters';
import { JetStreamClient } from './jetstream.client';
import { streamName } from './jetstream.options';

describe('JetStream transport: RetryLater', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  const start = async (instance: string, opts: Partial<Parameters<typeof startRecordingService>[0]>) => {
    const app = await startRecordingService({ natsUrl: nats.url, prefix: nats.prefix, instance, ...opts });
    apps.push(app);
    return app;
  };

  const deadLetters = async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streamName(nats.prefix, 'DLQ'));
    const found = [];
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      found.push(await jsm.streams.getMessage(streamName(nats.prefix, 'DLQ'), { seq }));
    }
    return found;
  };

  it("puts the message off with the delay, uncounted, for longer than maxDeliver, and keeps the build's next version behind it", async () => {
    let outage = true;
    const started = Date.now();
    const v1Attempts: number[] = [];
    await start('a', {
      maxDeliver: 2,
      behaviour: (m) => {
        if (m.data.n !== 1) return;
        v1Attempts.push(Date.now() - started);
        if (outage) throw new RetryLater('Slack is down', { delayMs: 150 });
      },
    });
    await client.publishEvent(TestSubjects.Work, buildEvent('slack', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('slack', 2));
    await until(() => v1Attempts.length >= 6, 10_000, 'six tries of v1');
    outage = false;
    await until(() => deliveries.some((d) => d.n === 2), 10_000, 'v2 after the outage');

    const v1 = deliveries.filter((d) => d.n === 1);
    expect(v1.length).toBeGreaterThanOrEqual(7); // far beyond maxDeliver 2
    expect(v1.every((d) => d.deliveryCount === 1)).toBe(true); // none counted
    expect(deliveries.findIndex((d) => d.n === 2)).toBe(deliveries.length - 1); // v2 only after v1 went through
    expect(deliveries.filter((d) => d.n === 2)).toHaveLength(1);
    // the delay is honoured (the first retry no sooner than 150 ms after the first try)
    expect(v1Attempts[1] - v1Attempts[0]).toBeGreaterThanOrEqual(140);
    expect(await deadLetters()).toHaveLength(0);
  });

  it('puts a message off, uncounted, while the database its handler needs is unreachable, and dead-letters nothing', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    let databaseDown = true;
    await start('a', {
      maxDeliver: 2,
      transport: { backoffMs: [50] },
      behaviour: async (m) => {
        if (m.data.n !== 1 || !databaseDown) return;
        const client = new pg.Client({ host: '127.0.0.1', port: closedPort, user: 'postgres' });
        await client.connect(); // a real ECONNREFUSED from node-postgres
      },
    });
    await client.publishEvent(TestSubjects.Work, buildEvent('db', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('db', 2));
    await until(() => deliveries.filter((d) => d.n === 1).length >= 5, 10_000, 'five tries of v1');
    databaseDown = false;
    await until(() => deliveries.some((d) => d.n === 2), 10_000, 'v2 once the database is back');

    expect(deliveries.filter((d) => d.n === 1).every((d) => d.deliveryCount === 1)).toBe(true);
    expect(deliveries.findIndex((d) => d.n === 2)).toBe(deliveries.length - 1);
    expect(await deadLetters()).toHaveLength(0);
  });

  it('counts RetryLater as a failure once the message is older than retryLaterMaxAgeMs, and dead-letters it after maxDeliver', async () => {
    await start('a', {
      maxDeliver: 2,
      retryLaterMaxAgeMs: 400,
      behaviour: () => {
        throw new RetryLater('Slack is down', { delayMs: 100 });
      },
    });
    await client.publishEvent(TestSubjects.Work, buildEvent('old', 1));
    const [dead] = await until(async () => ((await deadLetters()).length === 1 ? deadLetters() : undefined), 10_000, 'the dead letter');
    expect(dead.header.get(DeadLetterHeaders.Reason)).toMatch(
      /still asked to retry later 400 ms after it was sent: Slack is down \(delivery 2 of 2\)/,
    );
    const counts = deliveries.map((d) => d.deliveryCount);
    expect(counts.slice(-2)).toEqual([1, 2]);
  });
});
