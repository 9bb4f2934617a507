import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import { Behaviour, buildEvent, deliveries, startRecordingService, TestSubjects, until, work } from '../../test/transport-harness';
import { JetStreamClient } from './jetstream.client';
import { buildOrderBucket, streamName } from './jetstream.options';

/** What took effect (the handler returned), in the order it did. */
interface Effect {
  instance: string;
  build: string;
  version: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per build, the versions in the order they took effect. */
const byBuild = (effects: Effect[]) => {
  const out: Record<string, number[]> = {};
  for (const e of effects) (out[e.build] ??= []).push(e.version);
  return out;
};

describe('JetStream transport: per-build order across failures and replicas', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  const apps: INestApplication[] = [];
  const effects: Effect[] = [];

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
    effects.length = 0;
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  /** A recording instance whose handler runs `behaviour` and records the effect when it returns. */
  const start = async (
    instance: string,
    behaviour: Behaviour = () => undefined,
    opts: { maxDeliver?: number; concurrency?: number } = {},
  ) => {
    const app = await startRecordingService({
      natsUrl: nats.url,
      prefix: nats.prefix,
      instance,
      maxDeliver: opts.maxDeliver ?? 5,
      concurrency: opts.concurrency,
      behaviour: async (m, count, ctx) => {
        await behaviour(m, count, ctx);
        effects.push({ instance, build: m.correlationId, version: m.data.n });
      },
    });
    apps.push(app);
    return app;
  };

  const consumerInfo = async () => (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');

  it('holds version N+1 back while version N failed and waits for its redelivery, then handles both in order', async () => {
    await start('a', (m, count) => {
      if (m.data.n === 2 && count < 3) throw new Error(`v2 fails on delivery ${count}`);
    });
    for (let v = 1; v <= 4; v++) await client.publishEvent(TestSubjects.Work, buildEvent('b1', v));
    await until(() => effects.length === 4, 10_000, 'four effects');

    expect(byBuild(effects)).toEqual({ b1: [1, 2, 3, 4] });
    // v3 was never handed to the handler before v2 succeeded on its third delivery.
    const v2Success = deliveries.findIndex((d) => d.n === 2 && d.deliveryCount === 3);
    expect(deliveries.findIndex((d) => d.n === 3)).toBeGreaterThan(v2Success);
    expect(deliveries.filter((d) => d.n === 3)).toHaveLength(1);
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'every ack');
  });

  it('shares many interleaved builds between two instances on one durable consumer: each build in order, each message once, both instances working', async () => {
    const builds = 30;
    const versions = 6;
    // Some first deliveries fail, so that redeliveries land on either instance.
    const behaviour: Behaviour = async (m, count) => {
      await sleep(Math.random() * 8);
      if (count === 1 && (m.correlationId.length + m.data.n * 7) % 9 === 0) throw new Error('first delivery fails');
    };
    await start('a', behaviour, { concurrency: 4 });
    await start('b', behaviour, { concurrency: 4 });
    for (let v = 1; v <= versions; v++) {
      await Promise.all(Array.from({ length: builds }, (_, b) => client.publishEvent(TestSubjects.Work, buildEvent(`build-${b}`, v))));
    }
    await until(() => effects.length >= builds * versions, 30_000, `${builds * versions} effects`);
    await sleep(300); // room for a duplicate, which must not come

    expect(effects).toHaveLength(builds * versions);
    const expected = Array.from({ length: versions }, (_, i) => i + 1);
    for (const [build, order] of Object.entries(byBuild(effects))) expect({ build, order }).toEqual({ build, order: expected });
    const share = effects.filter((e) => e.instance === 'a').length / effects.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.85);
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'every ack');
  });

  it('acks a version its consumer already finished without handling it again (a redelivery, a replay)', async () => {
    await start('a');
    await client.publishEvent(TestSubjects.Work, buildEvent('b2', 1));
    await until(() => effects.length === 1, 5_000, 'the first effect');
    // Published again after the duplicate window (here: under another message id), it must not take effect twice.
    await client.publishEvent(TestSubjects.Work, { ...buildEvent('b2', 1), id: 'b2-v1-again' });
    await client.publishEvent(TestSubjects.Work, buildEvent('b2', 2));
    await until(() => effects.length === 2, 5_000, 'the second effect');
    await sleep(200);
    expect(byBuild(effects)).toEqual({ b2: [1, 2] });
    expect(deliveries.map((d) => d.id)).toEqual(['b2-v1', 'b2-v2']);
  });

  it('handles a version whose predecessors will never come (not in the stream) once every earlier message has ended', async () => {
    await start('a');
    await client.publishEvent(TestSubjects.Work, buildEvent('b3', 5)); // v1–v4 aged out or were never stored
    await client.publishEvent(TestSubjects.Work, buildEvent('b3', 6));
    await until(() => effects.length === 2, 5_000, 'both effects');
    expect(byBuild(effects)).toEqual({ b3: [5, 6] });
  });

  it('does not ack a message whose end cannot be recorded in the build order: it comes back, is recorded, and its successor waits for that', async () => {
    let bucketDeleted = false;
    await start('a', async (m) => {
      if (m.data.n !== 1 || bucketDeleted) return;
      bucketDeleted = true; // the record write after this handler fails: its stream is gone
      await (await nc.jetstreamManager()).streams.delete(`KV_${buildOrderBucket(nats.prefix)}`);
    });
    await client.publishEvent(TestSubjects.Work, buildEvent('b5', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('b5', 2));
    await until(() => effects.length === 3, 10_000, 'v1 twice and v2');

    expect(byBuild(effects)).toEqual({ b5: [1, 1, 2] });
    expect(deliveries.filter((d) => d.n === 1).map((d) => d.deliveryCount)).toEqual([1, 1]); // the second try not counted
    const kv = await (await nc.jetstream()).views.kv(buildOrderBucket(nats.prefix));
    const record = await kv.get(`${streamName(nats.prefix, 'INPUTS')}.recorder-inputs.build-b5`);
    expect(record?.string()).toBe('2');
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'every ack');
  });

  it('does not hold inputs (version 0) behind a failing one of the same build: approvals decides them against state', async () => {
    await start(
      'a',
      (m) => {
        if (m.data.n === 13) throw new Error('cannot take 13 now');
      },
      { maxDeliver: 3 },
    );
    await client.publishEvent(TestSubjects.Work, work(13, 'input-13', 'b4'));
    await client.publishEvent(TestSubjects.Work, work(14, 'input-14', 'b4'));
    await until(() => effects.some((e) => e.version === 14), 5_000, 'the later input');
    expect(effects.some((e) => e.version === 13)).toBe(false);
  });
});
