import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { connect, NatsConnection } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import {
  buildEvent,
  deliveries,
  startRecordingService,
  startTestService,
  TestSubjects,
  until,
  WorkSchema,
} from '../../test/transport-harness';
import type { Work } from '../../test/transport-harness';
import { DeadLetterHeaders } from './dead-letters';
import { JetStreamClient } from './jetstream.client';
import { JetStreamContext } from './jetstream.context';
import { streamName } from './jetstream.options';

/** A subject a newer version of the service knows and this one does not. */
const NewSubject = 'input.test-new';

describe('JetStream transport: a subject the running version does not know', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let client: JetStreamClient;
  let nc: NatsConnection;
  const apps: INestApplication[] = [];
  const newVersionSaw: string[] = [];

  @Controller()
  class NewerVersion {
    @EventPattern<string>(NewSubject)
    onNew(@Payload() message: Work): void {
      newVersionSaw.push(message.id);
    }

    @EventPattern<string>(TestSubjects.Work)
    onWork(@Payload() message: Work, @Ctx() ctx: JetStreamContext): void {
      deliveries.push({
        instance: 'new',
        id: message.id,
        n: message.data.n,
        deliveryCount: ctx.getDeliveryCount(),
        build: message.correlationId,
      });
    }
  }

  beforeEach(async () => {
    nats = await createTestNats();
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-client' });
    nc = await connect({ servers: nats.url });
    deliveries.length = 0;
    newVersionSaw.length = 0;
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  const startOld = async (opts: { unknownSubjectMaxAgeMs?: number } = {}) => {
    const transport = { unknownSubjectRetryMs: 100, unknownSubjectMaxAgeMs: opts.unknownSubjectMaxAgeMs };
    apps.push(await startRecordingService({ natsUrl: nats.url, prefix: nats.prefix, instance: 'old', transport }));
  };

  const consumerInfo = async () => (await nc.jetstreamManager()).consumers.info(streamName(nats.prefix, 'INPUTS'), 'recorder-inputs');

  it("never acks it: leaves it (and its build's later versions) for a replica that knows it", async () => {
    await startOld();
    await client.publishEvent(NewSubject, buildEvent('b1', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('b1', 2));
    await new Promise((r) => setTimeout(r, 800));
    expect(deliveries).toHaveLength(0); // v2 waits behind the unknown v1
    expect((await consumerInfo()).num_ack_pending).toBe(2);

    apps.push(
      await startTestService([NewerVersion], {
        servers: [nats.url],
        prefix: nats.prefix,
        service: 'recorder',
        consumers: [{ stream: 'INPUTS' }],
        schemas: { [TestSubjects.Work]: WorkSchema, [NewSubject]: WorkSchema },
      }),
    );
    await until(() => newVersionSaw.length === 1 && deliveries.length === 1, 10_000, 'both handled once a newer replica runs');
    expect(newVersionSaw).toEqual(['b1-v1']);
    expect(deliveries.map((d) => d.n)).toEqual([2]);
  });

  it('dead-letters it with the reason once no replica knew it within unknownSubjectMaxAgeMs; the build goes on', async () => {
    await startOld({ unknownSubjectMaxAgeMs: 500 });
    await client.publishEvent(NewSubject, buildEvent('b2', 1));
    await client.publishEvent(TestSubjects.Work, buildEvent('b2', 2));
    await until(() => deliveries.length === 1, 10_000, 'v2 after v1 was given up');
    const jsm = await nc.jetstreamManager();
    const dead = await jsm.streams.getMessage(streamName(nats.prefix, 'DLQ'), { seq: 1 });
    expect(dead.subject).toBe(`${nats.prefix}.dlq.recorder.${NewSubject}`);
    expect(dead.header.get(DeadLetterHeaders.Reason)).toMatch(
      /has no handler for input\.test-new, a subject this version does not know, and no replica handled it within 500 ms/,
    );
    await until(async () => (await consumerInfo()).num_ack_pending === 0, 5_000, 'every ack');
  });
});
