import { Controller, INestApplication, Module, Type } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { envelopeSchema, EventEnvelope } from '@app/contracts';
import { connect } from 'nats';
import { connectJetStream, interruptionsBucket, JetStreamContext, JetStreamOptions, JetStreamServer } from '../src/messaging';

const transports = new WeakMap<INestApplication, JetStreamServer>();

/** The transport of an app started here (its readiness, its consumers). */
export const transportOf = (app: INestApplication): JetStreamServer => transports.get(app)!;

/** Test subjects on the INPUTS stream, with the envelope schema every message must match. */
export const TestSubjects = { Work: 'input.test-work', Other: 'input.test-other', Echo: 'query.test-echo' } as const;
export const WorkSchema = envelopeSchema('Work', z.object({ n: z.number().int() }));
export type Work = EventEnvelope<'Work', { n: number }>;

export interface Delivery {
  instance: string;
  id: string;
  n: number;
  deliveryCount: number;
  /** The build (correlation id). */
  build: string;
}

/** What the recording handler does for a message: succeed, or throw. */
export type Behaviour = (message: Work, deliveryCount: number, ctx: JetStreamContext) => void | Promise<void>;

export const deliveries: Delivery[] = [];

export function work(n: number, id = `work-${n}-${Math.random().toString(36).slice(2)}`, correlationId = id): Work {
  return {
    id,
    type: 'Work',
    streamId: 'test',
    version: 0,
    occurredAt: new Date().toISOString(),
    correlationId,
    causationId: id,
    data: { n },
  };
}

/** Version `version` of build `build`'s stream, as the relay publishes domain events (`n` = version). */
export function buildEvent(build: string, version: number): Work {
  const id = `${build}-v${version}`;
  return {
    id,
    type: 'Work',
    streamId: `build-${build}`,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: build,
    causationId: id,
    data: { n: version },
  };
}

/** A Nest app whose only handlers record every delivery, connected through the JetStream transport. */
export async function startRecordingService(opts: {
  natsUrl: string;
  prefix: string;
  instance: string;
  behaviour?: Behaviour;
  maxDeliver?: number;
  concurrency?: number;
  shutdownTimeoutMs?: number;
  interruptTimeoutMs?: number;
  retryLaterMaxAgeMs?: number;
  /** Any other transport option. */
  transport?: Partial<JetStreamOptions>;
}): Promise<INestApplication> {
  const behaviour = opts.behaviour ?? (() => undefined);

  @Controller()
  class RecordingController {
    @EventPattern<string>(TestSubjects.Work)
    async onWork(@Payload() message: Work, @Ctx() ctx: JetStreamContext): Promise<void> {
      deliveries.push({
        instance: opts.instance,
        id: message.id,
        n: message.data.n,
        deliveryCount: ctx.getDeliveryCount(),
        build: message.correlationId,
      });
      await behaviour(message, ctx.getDeliveryCount(), ctx);
    }

    @MessagePattern<string>(TestSubjects.Echo)
    echo(@Payload() data: { text: string }): { echoed: string; by: string } {
      return { echoed: data.text, by: opts.instance };
    }
  }

  return startTestService([RecordingController], {
    servers: [opts.natsUrl],
    prefix: opts.prefix,
    service: 'recorder',
    consumers: [{ stream: 'INPUTS' }],
    maxDeliver: opts.maxDeliver ?? 3,
    concurrency: opts.concurrency ?? 8,
    shutdownTimeoutMs: opts.shutdownTimeoutMs,
    interruptTimeoutMs: opts.interruptTimeoutMs,
    retryLaterMaxAgeMs: opts.retryLaterMaxAgeMs,
    ...opts.transport,
  });
}

/** A Nest app with these controllers on the transport; short backoff and ackWait, the Work schema. */
export async function startTestService(controllers: Type[], options: JetStreamOptions): Promise<INestApplication> {
  @Module({ controllers })
  class TestServiceModule {}

  const moduleRef = await Test.createTestingModule({ imports: [TestServiceModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  // The catalogue of this test "version": Work and Other are known subjects, anything else is not.
  const server = connectJetStream(app, {
    schemas: { [TestSubjects.Work]: WorkSchema, [TestSubjects.Other]: WorkSchema },
    backoffMs: [50, 100],
    ackWaitMs: 2_000,
    ...options,
  });
  transports.set(app, server);
  await app.startAllMicroservices();
  await app.init();
  return app;
}

/** Deletes the interruption counts of a test prefix (test-infra's cleanup knows only `<PREFIX>_*` streams). */
export async function deleteInterruptionCounts(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    await (await nc.jetstreamManager()).streams.delete(`KV_${interruptionsBucket(prefix)}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
