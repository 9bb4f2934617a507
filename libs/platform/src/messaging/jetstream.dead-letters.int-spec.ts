import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { deadLetterSubject } from '@app/contracts';
import { createTestNats } from '../../../../test/infra/test-infra';
import { deleteInterruptionCounts, deliveries, startRecordingService, startTestService, TestSubjects, until, work } from '../../test/transport-harness';
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
