import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import {
  Behaviour,
  deleteInterruptionCounts,
  deliveries,
  startRecordingService,
  TestSubjects,
  until,
  work,
} from '../../test/transport-harness';
import { DeadLetterHeaders } from './dead-letters';
import { JetStreamClient } from './jetstream.client';
import { Interrupted } from './jetstream.context';
import { streamName } from './jetstream.options';

/** Resolves when the handler's shutdown signal aborts, rejecting with its reason (an `Interrupted`). */
const untilShutdown: Behaviour = (_m, _count, ctx) =>
  new Promise<void>((_resolve, reject) => ctx.getShutdownSignal().addEventListener('abort', () => reject(ctx.getShutdownSignal().reason)));

describe('JetStream transport: deliveries interrupted by a shutdown', () => {
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
    await deleteInterruptionCounts(nats.url, nats.prefix);
    await nats.cleanup();
  });

  const start = async (instance: string, opts: Partial<Parameters<typeof startRecordingService>[0]> = {}) => {
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

  const consumerInfo = async () => (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');

  it('does not count interrupted deliveries: interrupted ten times with maxDeliver 3, the message is still handled', async () => {
    await start('a', {
      maxDeliver: 3,
      behaviour: () => {
        if (deliveries.length <= 10) throw new Interrupted();
      },
    });
    await client.publishEvent(TestSubjects.Work, work(1));
    await until(() => deliveries.length === 11, 10_000, 'eleven deliveries');
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'the ack');
    expect(deliveries.map((d) => d.deliveryCount)).toEqual(Array(11).fill(1));
    expect(await deadLetters()).toHaveLength(0);
  });

  it('still dead-letters a message whose handler fails normally maxDeliver times, interruptions aside', async () => {
    await start('a', {
      maxDeliver: 3,
      behaviour: (_m, count) => {
        if (deliveries.length % 2 === 1) throw new Interrupted();
        throw new Error(`real failure ${count}`);
      },
    });
    await client.publishEvent(TestSubjects.Work, work(1));
    const [dead] = await until(async () => ((await deadLetters()).length === 1 ? deadLetters() : undefined), 10_000, 'the dead letter');
    expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(dead.header.get(DeadLetterHeaders.Reason)).toContain('real failure 3 (delivery 3 of 3)');
    expect(dead.header.get(DeadLetterHeaders.Deliveries)).toBe('6');
  });

  it('keeps the count of interruptions across a restart of the transport', async () => {
    const first = await start('a', {
      shutdownTimeoutMs: 200,
      behaviour: async (m, count, ctx) => {
        if (deliveries.length <= 3) throw new Interrupted();
        await untilShutdown(m, count, ctx);
      },
    });
    await client.publishEvent(TestSubjects.Work, work(1));
    await until(() => deliveries.length === 4, 5_000, 'four deliveries to the first instance');
    await first.close();

    await start('b', {
      maxDeliver: 3,
      behaviour: (_m, count) => {
        throw new Error(`failure ${count}`);
      },
    });
    const [dead] = await until(async () => ((await deadLetters()).length === 1 ? deadLetters() : undefined), 10_000, 'the dead letter');
    expect(deliveries.filter((d) => d.instance === 'b').map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    expect(dead.header.get(DeadLetterHeaders.Deliveries)).toBe('7');
  });

  it('lets a handler that finishes within the grace period finish, and aborts one that runs longer; that one goes to another instance, uncounted', async () => {
    let shortFinished = false;
    let signalled = false;
    const first = await start('a', {
      shutdownTimeoutMs: 600,
      behaviour: async (m, count, ctx) => {
        if (m.data.n === 1) return new Promise<void>((resolve) => setTimeout(() => ((shortFinished = true), resolve()), 300));
        ctx.getShutdownSignal().addEventListener('abort', () => (signalled = true));
        await untilShutdown(m, count, ctx);
      },
    });
    await client.publishEvent(TestSubjects.Work, work(1));
    await client.publishEvent(TestSubjects.Work, work(2));
    await until(() => deliveries.length === 2, 5_000, 'both deliveries');
    await start('b');

    const started = Date.now();
    await first.close();
    const took = Date.now() - started;

    expect(shortFinished).toBe(true);
    expect(signalled).toBe(true);
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3_000);
    const redelivered = await until(() => deliveries.find((d) => d.instance === 'b'), 5_000, 'the redelivery to b');
    expect(redelivered).toMatchObject({ n: 2, deliveryCount: 1 });
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'every ack');
    expect(deliveries.filter((d) => d.n === 1)).toHaveLength(1);
  });

  it('hands back at once, uncounted, the messages it received but had not started', async () => {
    const first = await start('a', { concurrency: 1, shutdownTimeoutMs: 1_500, behaviour: untilShutdown });
    await client.publishEvent(TestSubjects.Work, work(1));
    await client.publishEvent(TestSubjects.Work, work(2));
    await until(() => deliveries.length === 1, 5_000, 'the first delivery');
    await until(async () => (await consumerInfo()).num_ack_pending === 2, 5_000, 'both messages held by a');
    await start('b');

    const started = Date.now();
    const closing = first.close();
    const handedBack = await until(() => deliveries.find((d) => d.instance === 'b'), 5_000, 'the waiting message at b');
    expect(Date.now() - started).toBeLessThan(1_000); // not after the grace period
    expect(handedBack).toMatchObject({ n: 2, deliveryCount: 1 });
    await closing;
    expect(await until(() => deliveries.find((d) => d.instance === 'b' && d.n === 1), 5_000, 'the aborted one at b')).toMatchObject({
      deliveryCount: 1,
    });
  });
});
