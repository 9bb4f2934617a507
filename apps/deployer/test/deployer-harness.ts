import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { headers, JSONCodec, NatsConnection } from 'nats';
import { MessageSchemas, Subjects } from '@app/contracts';
import type {
  BuildClosed,
  EventEnvelope,
  PreviewDeploymentRequested,
  PreviewTeardownRequested,
  ProductionDeploymentRequested,
} from '@app/contracts';
import { AppConfig, connectJetStream, JetStreamClient } from '@app/platform';
import { ReplayHeaders } from '@app/platform/dead-letters/replay-headers';
import { DeployerModule } from '../src/deployer.module';
import { workloadName } from '../src/naming/naming';

/** Leases short enough for a test to watch one expire. */
export const TEST_LEASE = { durationSeconds: 2, renewIntervalMs: 250, retryIntervalMs: 100 };

export interface DeployerTestOptions {
  /** This instance in lease holder identities; random by default. */
  instanceId?: string;
  /** How long in-flight work may run on when the app closes (the transport's grace period); 0 by default. */
  shutdownGraceMs?: number;
  /** Counted deliveries before a failing request is dead-lettered. */
  maxDeliver?: number;
  /** Lease timing other than TEST_LEASE. */
  lease?: Partial<typeof TEST_LEASE>;
}

/** Starts the deployer's Nest app on the real JetStream transport, tuned for tests. */
export async function startDeployer(
  config: AppConfig,
  nats: { url: string; prefix: string },
  options: DeployerTestOptions = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DeployerModule.register(config, {
        pollIntervalMs: 100,
        requestTimeoutMs: 1_000,
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
        readinessTtlMs: 1_000,
        lease: { ...TEST_LEASE, ...options.lease },
        ...(options.instanceId ? { instanceId: options.instanceId } : {}),
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
    shutdownTimeoutMs: options.shutdownGraceMs ?? 0,
    ...(options.maxDeliver ? { maxDeliver: options.maxDeliver } : {}),
  });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

/**
 * The next stream version of a build: the transport applies a build's events in version order
 * (1, 2, 3… as approvals' relay publishes them), so every event a test makes for a build gets
 * the next one. A test that means to redeliver an event publishes the same envelope again.
 */
const versions = new Map<string, number>();
const nextVersion = (buildId: string): number => {
  const next = (versions.get(buildId) ?? 0) + 1;
  versions.set(buildId, next);
  return next;
};

const envelope = <T extends EventEnvelope>(type: T['type'], buildId: string, data: T['data'], occurredAt = new Date()): T =>
  ({
    id: randomUUID(),
    type,
    streamId: `build-${buildId}`,
    version: nextVersion(buildId),
    occurredAt: occurredAt.toISOString(),
    correlationId: buildId,
    causationId: `cause-${buildId}`,
    data,
  }) as T;

/** When a request was made and until when it may roll out; omitted: now, and the deployer's ROLLOUT_TIMEOUT_SECONDS. */
interface Timing {
  occurredAt?: Date;
  rolloutDeadline?: Date;
}

const timing = (t: Timing) => (t.rolloutDeadline ? { rolloutDeadline: t.rolloutDeadline.toISOString() } : {});

/** The name the deployer gives the preview of `target` (shop, branch unless said otherwise). */
export const previewName = (target: string, p: { project?: string; type?: 'branch' | 'tag' } = {}): string =>
  workloadName({ environment: 'preview', project: p.project ?? 'shop', type: p.type ?? 'branch', target });

export const previewRequested = (
  p: {
    buildId: string;
    project?: string;
    target: string;
    image: string;
    type?: 'branch' | 'tag';
    url?: string;
    attemptId?: string;
  } & Timing,
) =>
  envelope<PreviewDeploymentRequested>(
    'PreviewDeploymentRequested',
    p.buildId,
    {
      buildId: p.buildId,
      ...(p.attemptId ? { attemptId: p.attemptId } : {}),
      project: p.project ?? 'shop',
      type: p.type ?? 'branch',
      target: p.target,
      image: p.image,
      url: p.url ?? `https://${p.target}.${p.type ?? 'branch'}.example.org`,
      ...timing(p),
    },
    p.occurredAt,
  );

export const productionRequested = (
  p: { buildId: string; image: string; attempt?: number; attemptId?: string; project?: string; url?: string } & Timing,
) =>
  envelope<ProductionDeploymentRequested>(
    'ProductionDeploymentRequested',
    p.buildId,
    {
      buildId: p.buildId,
      ...(p.attemptId ? { attemptId: p.attemptId } : {}),
      project: p.project ?? 'shop',
      image: p.image,
      url: p.url ?? 'https://example.org',
      by: 'U0OWNER01',
      attempt: p.attempt ?? 1,
      ...timing(p),
    },
    p.occurredAt,
  );

export const buildClosed = (p: { buildId: string; target: string; attemptId?: string }) =>
  envelope<BuildClosed>('BuildClosed', p.buildId, {
    buildId: p.buildId,
    ...(p.attemptId ? { attemptId: p.attemptId } : {}),
    by: 'U0OWNER01',
    project: 'shop',
    type: 'branch',
    target: p.target,
  });

export const teardownRequested = (p: { buildId: string; target: string; attemptId: string; project?: string }) =>
  envelope<PreviewTeardownRequested>('PreviewTeardownRequested', p.buildId, {
    buildId: p.buildId,
    attemptId: p.attemptId,
    project: p.project ?? 'shop',
    type: 'branch',
    target: p.target,
    reason: 'closed',
  });

type RequestEvent = PreviewDeploymentRequested | ProductionDeploymentRequested | BuildClosed | PreviewTeardownRequested;

const subjectOf = (event: RequestEvent): string =>
  ({
    PreviewDeploymentRequested: Subjects.PreviewDeploymentRequested,
    ProductionDeploymentRequested: Subjects.ProductionDeploymentRequested,
    BuildClosed: Subjects.BuildClosed,
    PreviewTeardownRequested: Subjects.PreviewTeardownRequested,
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

  /**
   * The event as an operator replays it from the dead letters (`npm run dlq -- replay`): for the
   * deployer only, and outside its build's order — the one way an older request can reach the
   * deployer after a newer one of the same build.
   */
  async replayForDeployer(event: RequestEvent, prefix: string): Promise<void> {
    const nc = await this.client.connect();
    const h = headers();
    h.set(ReplayHeaders.For, 'deployer');
    h.set(ReplayHeaders.Of, `TEST_DLQ:${event.id}`);
    await (nc as NatsConnection)
      .jetstream()
      .publish(`${prefix}.${subjectOf(event)}`, JSONCodec().encode(event), { headers: h, msgID: `replay-${event.id}` });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
