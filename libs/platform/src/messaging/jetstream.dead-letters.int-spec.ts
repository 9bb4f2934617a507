import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { connect, DiscardPolicy, JSONCodec, NatsConnection } from 'nats';
import { deadLetterSubject } from '@app/contracts';
import { createTestNats } from '../../../../test/infra/test-infra';
import {
  buildEvent,
  deleteInterruptionCounts,
  deliveries,
  startRecordingService,
  startTestService,
  TestSubjects,
  until,
  work,
} from '../../test/transport-harness';
import type { Work } from '../../test/transport-harness';
import { DeadLetterHeaders } from './dead-letters';
import { JetStreamClient } from './jetstream.client';
import { JetStreamContext, PermanentError } from './jetstream.context';
import { absoluteSubject, streamName } from './jetstream.options';
import { MessagingMetrics } from './messaging.metrics';

interface Received {
  message: Work;
  subject: string;
  reason?: string;
  service?: string;
  deliveryCount: number;
}

describe('JetStream transport: a consumer of dead letters', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  const apps: INestApplication[] = [];
  const received: Received[] = [];
  /** What the dead-letter handler does after recording a delivery. */
  let reaction: (message: Work, deliveryCount: number) => void = () => undefined;

  @Controller()
  class DeadWorkWatcher {
    @EventPattern<string>(deadLetterSubject('recorder', TestSubjects.Work))
    onDeadWork(@Payload() message: Work, @Ctx() ctx: JetStreamContext): void {
      received.push({
        message,
        subject: ctx.getSubject(),
        reason: ctx.getHeader(DeadLetterHeaders.Reason),
        service: ctx.getHeader(DeadLetterHeaders.Service),
        deliveryCount: ctx.getDeliveryCount(),
      });
      reaction(message, ctx.getDeliveryCount());
    }
  }

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
    received.length = 0;
    reaction = () => undefined;
    apps.push(
      await startRecordingService({
        natsUrl: nats.url,
        prefix: nats.prefix,
        instance: 'a',
        behaviour: (m) => {
          throw new PermanentError(`cannot handle ${m.data.n}`);
        },
      }),
      await startTestService([DeadWorkWatcher], {
        servers: [nats.url],
        prefix: nats.prefix,
        service: 'watcher',
        consumers: [{ stream: 'DLQ', filterSubject: 'dlq.recorder.>' }],
        maxDeliver: 2,
      }),
    );
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await client.close();
    await nc.close();
    await deleteInterruptionCounts(nats.url, nats.prefix);
    await nats.cleanup();
  });

  const dlqSubjects = async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streamName(nats.prefix, 'DLQ'), { subjects_filter: '>' });
    return Object.keys(info.state.subjects ?? {});
  };

  const terminatedByWatcher = async () =>
    (await MessagingMetrics.terminated.get()).values.filter((v) => v.labels.service === 'watcher').reduce((sum, v) => sum + v.value, 0);

  const publishDeadLetter = (subject: string, body: unknown) =>
    nc.jetstream().publish(absoluteSubject(nats.prefix, subject), JSONCodec().encode(body));

  it('receives a dead letter with the reason header and the payload checked against the original subject', async () => {
    await client.publishEvent(TestSubjects.Work, work(666, 'poison'));
    const [dead] = await until(() => (received.length ? received : undefined), 5_000, 'the dead letter at the watcher');
    expect(dead.subject).toBe(`dlq.recorder.${TestSubjects.Work}`);
    expect(dead.reason).toContain('cannot handle 666');
    expect(dead.service).toBe('recorder');
    expect(dead.message).toMatchObject({ id: 'poison', data: { n: 666 } });
  });

  it('retries its own failures past the service maxDeliver and never dead-letters them again', async () => {
    reaction = (_m, count) => {
      if (count <= 3) throw new Error(`watcher failure ${count}`);
    };
    await client.publishEvent(TestSubjects.Work, work(1));
    await until(() => received.length === 4, 5_000, 'four deliveries of the dead letter');
    expect(received.map((r) => r.deliveryCount)).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await dlqSubjects()).toEqual([`${nats.prefix}.dlq.recorder.${TestSubjects.Work}`]);
  });

  it('gives up what it cannot handle without a new dead letter: an invalid payload, a subject with no handler, a PermanentError', async () => {
    const before = await terminatedByWatcher();
    reaction = (m) => {
      if (m.data.n === 13) throw new PermanentError('cannot record 13');
    };
    await publishDeadLetter(deadLetterSubject('recorder', TestSubjects.Work), { ...work(1), data: { n: 'one' } });
    await publishDeadLetter(deadLetterSubject('recorder', TestSubjects.Other), work(2));
    await publishDeadLetter(deadLetterSubject('recorder', TestSubjects.Work), work(13));
    await publishDeadLetter(deadLetterSubject('someone-else', TestSubjects.Work), work(4)); // outside the filter
    await until(async () => (await terminatedByWatcher()) - before === 3, 5_000, 'three messages given up');
    expect(received.map((r) => r.message.data.n)).toEqual([13]);
    expect((await dlqSubjects()).filter((s) => s.includes('.dlq.watcher.'))).toEqual([]);
    const info = await (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'DLQ'), 'watcher-dlq-recorder');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });
});

describe('JetStream transport: a dead letter that cannot be published', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  let app: INestApplication;

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
    app = await startRecordingService({
      natsUrl: nats.url,
      prefix: nats.prefix,
      instance: 'a',
      behaviour: (m) => {
        if (m.data.n === 1) throw new PermanentError('cannot handle v1');
      },
    });
  });

  afterEach(async () => {
    await app.close();
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  const dlq = () => streamName(nats.prefix, 'DLQ');
  const failedDeadLetters = async () =>
    (await MessagingMetrics.handled.get()).values
      .filter((v) => v.labels.result === 'dead-letter-failed' && v.labels.service === 'recorder')
      .reduce((sum, v) => sum + v.value, 0);

  it('keeps the message (unacked, retried) while the DLQ refuses it, and dead-letters it once the DLQ accepts; the build waits meanwhile', async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(dlq());
    await jsm.streams.update(dlq(), { ...info.config, max_msgs: 1, discard: DiscardPolicy.New });
    await nc.jetstream().publish(absoluteSubject(nats.prefix, 'dlq.filler.x'), JSONCodec().encode({})); // the DLQ is full
    const before = await failedDeadLetters();

    await client.publishEvent(TestSubjects.Work, buildEvent('b', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('b', 2));
    await until(async () => (await failedDeadLetters()) - before >= 3, 10_000, 'three refused dead letters');
    const consumer = await jsm.consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');
    expect(consumer.num_ack_pending).toBe(2); // neither acked nor given up
    expect(deliveries.some((d) => d.n === 2)).toBe(false); // v2 waits for v1's end

    await jsm.streams.update(dlq(), { ...info.config, max_msgs: -1, discard: DiscardPolicy.Old });
    await until(() => deliveries.some((d) => d.n === 2), 10_000, 'v2 once v1 was dead-lettered');
    const dead = await jsm.streams.getMessage(dlq(), { last_by_subj: `${nats.prefix}.dlq.recorder.${TestSubjects.Work}` });
    expect(dead.header.get(DeadLetterHeaders.Reason)).toContain('cannot handle v1');
    expect((await jsm.streams.info(dlq())).state.messages).toBe(2); // the filler and one dead letter
  });

  it('re-creates a deleted DLQ stream to store the dead letter', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(dlq());
    await client.publishEvent(TestSubjects.Work, buildEvent('c', 1));
    await until(
      async () => (await jsm.streams.info(dlq()).catch(() => undefined))?.state.messages === 1,
      10_000,
      'the dead letter in a new DLQ',
    );
    const dead = await jsm.streams.getMessage(dlq(), { seq: 1 });
    expect(JSON.parse(new TextDecoder().decode(dead.data)).id).toBe('c-v1');
  });
});
