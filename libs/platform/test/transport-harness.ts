import { Controller, INestApplication, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { envelopeSchema, EventEnvelope } from '@app/contracts';
import { connectJetStream, JetStreamContext } from '../src/messaging';

/** Test subjects on the INPUTS stream, with the envelope schema every message must match. */
export const TestSubjects = { Work: 'input.test-work', Other: 'input.test-other', Echo: 'query.test-echo' } as const;
export const WorkSchema = envelopeSchema('Work', z.object({ n: z.number().int() }));
export type Work = EventEnvelope<'Work', { n: number }>;

export interface Delivery {
  instance: string;
  id: string;
  n: number;
  deliveryCount: number;
}

/** What the recording handler does for a message: succeed, or throw. */
export type Behaviour = (message: Work, deliveryCount: number) => void | Promise<void>;

export const deliveries: Delivery[] = [];

export function work(n: number, id = `work-${n}-${Math.random().toString(36).slice(2)}`, correlationId = id): Work {
  return { id, type: 'Work', streamId: 'test', version: 0, occurredAt: new Date().toISOString(), correlationId, causationId: id, data: { n } };
}

/** A Nest app whose only handlers record every delivery, connected through the JetStream transport. */
export async function startRecordingService(opts: {
  natsUrl: string;
  prefix: string;
  instance: string;
  behaviour?: Behaviour;
  maxDeliver?: number;
  concurrency?: number;
}): Promise<INestApplication> {
  const behaviour = opts.behaviour ?? (() => undefined);

  @Controller()
  class RecordingController {
    @EventPattern<string>(TestSubjects.Work)
    async onWork(@Payload() message: Work, @Ctx() ctx: JetStreamContext): Promise<void> {
      deliveries.push({ instance: opts.instance, id: message.id, n: message.data.n, deliveryCount: ctx.getDeliveryCount() });
      await behaviour(message, ctx.getDeliveryCount());
    }

    @MessagePattern<string>(TestSubjects.Echo)
    echo(@Payload() data: { text: string }): { echoed: string; by: string } {
      return { echoed: data.text, by: opts.instance };
    }
  }

  @Module({ controllers: [RecordingController] })
  class RecordingModule {}

  const moduleRef = await Test.createTestingModule({ imports: [RecordingModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  connectJetStream(app, {
    servers: [opts.natsUrl],
    prefix: opts.prefix,
    service: 'recorder',
    consumers: [{ stream: 'INPUTS' }],
    schemas: { [TestSubjects.Work]: WorkSchema },
    maxDeliver: opts.maxDeliver ?? 3,
    backoffMs: [50, 100],
    ackWaitMs: 2_000,
    concurrency: opts.concurrency ?? 8,
  });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
