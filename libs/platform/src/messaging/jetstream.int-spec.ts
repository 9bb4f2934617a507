import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { connect, NatsConnection, StringCodec } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import { deleteInterruptionCounts, deliveries, startRecordingService, TestSubjects, until, work } from '../../test/transport-harness';
import { JetStreamClient } from './jetstream.client';
import { PermanentError } from './jetstream.context';
import { JetStreamServer } from './jetstream.server';
import { streamName } from './jetstream.options';
import { ensureStream } from './stream-setup';

describe('JetStream transport (real NATS JetStream)', () => {
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

  const dlqMessages = async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streamName(nats.prefix, 'DLQ'));
    const out: { subject: string; reason: string | undefined; body: string }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(streamName(nats.prefix, 'DLQ'), { seq });
      out.push({ subject: m.subject, reason: m.header.get('Deploybot-Dlq-Reason'), body: StringCodec().decode(m.data) });
    }
    return out;
  };

  it('creates its streams and consumers idempotently, from every replica', async () => {
    await start('a');
    await start('b');
    const jsm = await nc.jetstreamManager();
    const consumers = [];
    for await (const c of jsm.consumers.list(streamName(nats.prefix, 'INPUTS'))) consumers.push(c.name);
    expect(consumers).toEqual(['recorder-inputs']);
  });

  it('handles a message that was published while the consumer was down, once it starts', async () => {
    await ensureStream(await nc.jetstreamManager(), nats.prefix, 'INPUTS');
    await client.publishEvent(TestSubjects.Work, work(1));
    await start('a');
    await until(() => deliveries.length === 1, 5_000, 'the delivery');
    expect(deliveries[0]).toMatchObject({ n: 1, deliveryCount: 1 });
  });

  it('redelivers a message whose handler failed twice, and acks it once it succeeds', async () => {
    await start('a', {
      maxDeliver: 5,
      behaviour: (_m, count) => {
        if (count < 3) throw new Error(`transient failure ${count}`);
      },
    });
    await client.publishEvent(TestSubjects.Work, work(7));
    await until(() => deliveries.length === 3, 5_000, 'three deliveries');
    await new Promise((r) => setTimeout(r, 2_500)); // past ackWait: an unacked message would come back
    expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    const info = await (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(1);
  });

  it('handles an event that was published twice only once', async () => {
    await start('a');
    const message = work(3, 'same-id');
    await client.publishEvent(TestSubjects.Work, message);
    await client.publishEvent(TestSubjects.Work, message);
    await client.publishEvent(TestSubjects.Work, work(4));
    await until(() => deliveries.some((d) => d.n === 4), 5_000, 'the later message');
    expect(deliveries.filter((d) => d.id === 'same-id')).toHaveLength(1);
  });

  it('dead-letters a poison message after the bound, without blocking the messages behind it', async () => {
    await start('a', {
      maxDeliver: 3,
      behaviour: (m) => {
        if (m.data.n === 666) throw new Error('cannot handle 666');
      },
    });
    await client.publishEvent(TestSubjects.Work, work(666, 'poison', 'build-1'));
    for (let n = 1; n <= 5; n++) await client.publishEvent(TestSubjects.Work, work(n, `ok-${n}`, 'build-1'));
    await until(() => deliveries.filter((d) => d.n !== 666).length === 5, 5_000, 'the healthy messages');
    const dead = await until(async () => ((await dlqMessages()).length === 1 ? dlqMessages() : undefined), 5_000, 'the dead letter');
    expect(deliveries.filter((d) => d.n === 666).map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    expect(dead[0].subject).toBe(`${nats.prefix}.dlq.recorder.${TestSubjects.Work}`);
    expect(dead[0].reason).toContain('cannot handle 666');
    expect(JSON.parse(dead[0].body).id).toBe('poison');
  });

  it('dead-letters a payload that does not match its schema at once, without calling the handler', async () => {
    await start('a');
    await client.publishEvent(TestSubjects.Work, { ...work(1, 'bad'), data: { n: 'one' } } as never);
    await until(async () => (await dlqMessages()).length === 1 || undefined, 5_000, 'the dead letter');
    const [dead] = await dlqMessages();
    expect(dead.reason).toMatch(/invalid payload: data\.n/);
    expect(deliveries).toHaveLength(0);
  });

  it('lets two instances of a service share the work with no message handled twice', async () => {
    await start('a', { behaviour: () => new Promise((r) => setTimeout(r, 5)) });
    await start('b', { behaviour: () => new Promise((r) => setTimeout(r, 5)) });
    await Promise.all(Array.from({ length: 200 }, (_, n) => client.publishEvent(TestSubjects.Work, work(n))));
    await until(() => deliveries.length >= 200, 15_000, '200 deliveries');
    await new Promise((r) => setTimeout(r, 300));
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(200);
    expect(deliveries).toHaveLength(200);
    expect(new Set(deliveries.map((d) => d.instance))).toEqual(new Set(['a', 'b']));
  });

  it('answers request/reply queries through one instance of the service', async () => {
    await start('a');
    await start('b');
    const reply = await client.request<{ echoed: string; by: string }>(TestSubjects.Echo, { text: 'hello' });
    expect(reply.echoed).toBe('hello');
    expect(['a', 'b']).toContain(reply.by);
  });

  it('refuses to publish when no stream stores the subject (so callers can answer 503)', async () => {
    await expect(client.publishEvent('nowhere.subject', work(1))).rejects.toThrow();
  });
});

describe('JetStream transport shutdown', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  beforeAll(async () => {
    nats = await createTestNats();
  });
  afterAll(async () => nats.cleanup());

  it('finishes the handler in flight and acks it before closing', async () => {
    deliveries.length = 0;
    let finished = false;
    const app = await startRecordingService({
      natsUrl: nats.url,
      prefix: nats.prefix,
      instance: 'a',
      behaviour: () => new Promise<void>((r) => setTimeout(() => ((finished = true), r()), 300)),
    });
    const client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 't' });
    await client.publishEvent(TestSubjects.Work, work(1));
    await until(() => deliveries.length === 1, 5_000, 'the delivery');
    await app.close();
    expect(finished).toBe(true);
    const nc = await connect({ servers: nats.url });
    const info = await (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');
    expect(info.num_ack_pending).toBe(0);
    await nc.close();
    await client.close();
  });
});

describe('JetStream transport with a PermanentError', () => {
  it('dead-letters the message on the first failure instead of retrying it', async () => {
    const nats = await createTestNats();
    deliveries.length = 0;
    const app = await startRecordingService({
      natsUrl: nats.url,
      prefix: nats.prefix,
      instance: 'a',
      maxDeliver: 5,
      behaviour: () => {
        throw new PermanentError('channel_not_found: invite the bot');
      },
    });
    const client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 't' });
    await client.publishEvent(TestSubjects.Work, work(1));
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    await until(async () => (await jsm.streams.info(streamName(nats.prefix, 'DLQ'))).state.messages === 1, 5_000, 'the dead letter');
    const dead = await jsm.streams.getMessage(streamName(nats.prefix, 'DLQ'), { seq: 1 });
    expect(dead.header.get('Deploybot-Dlq-Reason')).toContain('channel_not_found');
    expect(deliveries).toHaveLength(1);
    await app.close();
    await client.close();
    await nc.close();
    await nats.cleanup();
  });
});

describe('JetStream transport shutdown with a stuck handler', () => {
  it('stops waiting after the grace period and the moment given to the shutdown signal, and leaves the message to be redelivered', async () => {
    const nats = await createTestNats();
    deliveries.length = 0;
    const server = new JetStreamServer({
      servers: [nats.url],
      prefix: nats.prefix,
      service: 'recorder',
      consumers: [{ stream: 'INPUTS' }],
      shutdownTimeoutMs: 300,
      interruptTimeoutMs: 200,
    });
    server.addHandler(
      TestSubjects.Work,
      async () => new Promise<void>(() => deliveries.push({ instance: 'stuck', id: 'x', n: 0, deliveryCount: 1, build: 'x' })),
      true,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    const client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 't' });
    await client.publishEvent(TestSubjects.Work, work(1));
    await until(() => deliveries.length === 1, 5_000, 'the delivery');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    const nc = await connect({ servers: nats.url });
    const info = await (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');
    expect(info.num_ack_pending).toBe(1);
    await nc.close();
    await client.close();
    await nats.cleanup();
  });
});
