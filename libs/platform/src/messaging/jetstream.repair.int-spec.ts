import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import { buildEvent, deliveries, startRecordingService, TestSubjects, transportOf, until } from '../../test/transport-harness';
import { JetStreamClient } from './jetstream.client';
import { streamName } from './jetstream.options';

/** Samples `ready()` every few ms; the values it took, without repeats. */
function watchReadiness(ready: () => boolean): { seen: boolean[]; stop(): void } {
  const seen: boolean[] = [ready()];
  const sample = () => {
    const now = ready();
    if (seen.at(-1) !== now) seen.push(now);
  };
  const timer = setInterval(sample, 2);
  return { seen, stop: () => (clearInterval(timer), sample()) };
}

describe('JetStream transport: consumers and streams deleted under it', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  let app: INestApplication;

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
    app = await startRecordingService({ natsUrl: nats.url, prefix: nats.prefix, instance: 'a' });
    await until(() => transportOf(app).isReady(), 5_000, 'ready');
    await client.publishEvent(TestSubjects.Work, buildEvent('before', 1));
    await until(() => deliveries.length === 1, 5_000, 'the first delivery');
  });

  afterEach(async () => {
    await app.close();
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  it('re-creates a deleted consumer, is not ready meanwhile, and consumes again (a finished version is not handled twice)', async () => {
    const readiness = watchReadiness(() => transportOf(app).isReady());
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');
    await until(() => readiness.seen.includes(false), 5_000, 'readiness down');
    await until(() => transportOf(app).isReady(), 10_000, 'readiness up again');
    readiness.stop();
    expect(readiness.seen).toEqual([true, false, true]);
    expect((await jsm.consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs')).config.durable_name).toBe('recorder-inputs');

    await client.publishEvent(TestSubjects.Work, buildEvent('before', 2));
    await until(() => deliveries.some((d) => d.n === 2), 5_000, 'a message after the repair');
    // The re-created consumer starts from the stream's beginning: v1 comes again and is acked as finished.
    await until(
      async () => (await jsm.consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs')).num_ack_pending === 0,
      5_000,
      'every ack',
    );
    expect(deliveries.map((d) => d.n)).toEqual([1, 2]);
  });

  it('re-creates a deleted stream and its consumer, is not ready meanwhile, and consumes again', async () => {
    const readiness = watchReadiness(() => transportOf(app).isReady());
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(streamName(nats.prefix, 'INPUTS'));
    await until(() => readiness.seen.includes(false), 5_000, 'readiness down');
    await until(() => transportOf(app).isReady(), 10_000, 'readiness up again');
    readiness.stop();
    expect(readiness.seen).toEqual([true, false, true]);

    await client.publishEvent(TestSubjects.Work, buildEvent('after', 1));
    await until(() => deliveries.some((d) => d.build === 'after'), 5_000, 'a message in the new stream');
    expect(transportOf(app).consumerStates()).toEqual([
      { stream: streamName(nats.prefix, 'INPUTS'), durable: 'recorder-inputs', consuming: true },
    ]);
  });
});
