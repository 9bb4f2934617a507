import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { JSONCodec, NatsConnection } from 'nats';
import { MessageSchemas, Subjects } from '@app/contracts';
import type { BuildClosed, EventEnvelope, PreviewDeploymentRequested, ProductionDeploymentRequested } from '@app/contracts';
import { AppConfig, connectJetStream, JetStreamClient } from '@app/platform';
import { DeployerModule } from '../src/deployer.module';

/** Starts the deployer's Nest app on the real JetStream transport, tuned for tests. */
export async function startDeployer(config: AppConfig, nats: { url: string; prefix: string }): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DeployerModule.register(config, {
        pollIntervalMs: 100,
        requestTimeoutMs: 1_000,
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
        readinessTtlMs: 1_000,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication(process.env.DEPLOYER_TEST_LOGS ? {} : { logger: false });
  connectJetStream(app, {
    servers: [nats.url],
    prefix: nats.prefix,
    service: 'deployer',
    consumers: [{ stream: 'EVENTS' }],
    schemas: MessageSchemas,
    backoffMs: [300, 300],
  });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

const envelope = <T extends EventEnvelope>(type: T['type'], buildId: string, data: T['data']): T =>
  ({
    id: randomUUID(),
    type,
    streamId: `build-${buildId}`,
    version: 2,
    occurredAt: new Date().toISOString(),
    correlationId: buildId,
    causationId: `cause-${buildId}`,
    data,
  }) as T;

export const previewRequested = (p: { buildId: string; project?: string; target: string; image: string; type?: 'branch' | 'tag'; url?: string }) =>
  envelope<PreviewDeploymentRequested>('PreviewDeploymentRequested', p.buildId, {
    buildId: p.buildId,
    project: p.project ?? 'shop',
    type: p.type ?? 'branch',
    target: p.target,
    image: p.image,
    url: p.url ?? `https://${p.target}.${p.type ?? 'branch'}.example.org`,
  });

export const productionRequested = (p: { buildId: string; image: string }) =>
  envelope<ProductionDeploymentRequested>('ProductionDeploymentRequested', p.buildId, {
    buildId: p.buildId,
    project: 'shop',
    image: p.image,
    url: 'https://example.org',
    by: 'U0OWNER01',
    attempt: 1,
  });

export const buildClosed = (p: { buildId: string; target: string }) =>
  envelope<BuildClosed>('BuildClosed', p.buildId, { buildId: p.buildId, by: 'U0OWNER01', project: 'shop', type: 'branch', target: p.target });

type RequestEvent = PreviewDeploymentRequested | ProductionDeploymentRequested | BuildClosed;

const subjectOf = (event: RequestEvent): string =>
  ({
    PreviewDeploymentRequested: Subjects.PreviewDeploymentRequested,
    ProductionDeploymentRequested: Subjects.ProductionDeploymentRequested,
    BuildClosed: Subjects.BuildClosed,
  })[event.type];

/** Publishes approvals' domain events as its relay would. */
export class EventsPublisher {
  private readonly client: JetStreamClient;

  constructor(nats: { url: string; prefix: string }) {
    this.client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'test-relay' });
  }

  async publish(event: RequestEvent): Promise<void> {
    await this.client.publishEvent(subjectOf(event), event);
  }

  /** The same event stored a second time, as a relay replay after the duplicate window would. */
  async redeliver(event: RequestEvent, prefix: string): Promise<void> {
    const nc = await this.client.connect();
    await (nc as NatsConnection).jetstream().publish(`${prefix}.${subjectOf(event)}`, JSONCodec().encode(event));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
