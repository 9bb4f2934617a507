import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { DeployerRequestSubjects, Subjects, subjectOfEventType, type BuildEventType, type EventEnvelope } from '@app/contracts';
import { APP_CONFIG, Interrupted, JETSTREAM_CLIENT, JetStreamContext, RethrowRpcErrorsFilter } from '@app/platform';
import { UNIT_OPTIONS, unitConfig } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import { WorkloadLocks } from '../leases/workload-locks';
import { Reactions } from './build-events.reactions';
import { DeploymentRequestsController } from './deployment-requests.controller';
import { DeploymentsMetrics } from './deployments.metrics';
import { PreviewTeardown } from './preview-teardown.service';
import { WorkloadDeployer } from './workload-deployer.service';

/** A transport that keeps what Nest registered and delivers to it as the JetStream transport does: by subject, with a context. */
class InProcessTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }

  close(): void {}

  on(): never {
    throw new Error('not supported');
  }

  unwrap<T>(): T {
    throw new Error('not supported');
  }

  /** The subjects that have an event handler. */
  eventSubjects(): string[] {
    return [...this.getHandlers()].filter(([, handler]) => handler.isEventHandler).map(([subject]) => subject);
  }

  async deliver(payload: EventEnvelope, shutdown = new AbortController().signal): Promise<void> {
    const subject = subjectOfEventType(payload.type)!;
    const handler = this.getHandlerByPattern(subject);
    if (!handler?.isEventHandler) throw new Error(`no event handler for ${payload.type}`);
    await lastValueFrom(this.transformToObservable(await handler(payload, new JetStreamContext([subject, 1, 1, undefined, shutdown]))), {
      defaultValue: undefined,
    });
  }
}

/** What the controller published, as the JetStream client would have. */
class RecordingBus {
  readonly published: { subject: string; event: EventEnvelope }[] = [];
  async publishEvent(subject: string, event: EventEnvelope): Promise<void> {
    this.published.push({ subject, event });
  }
}

let sequence = 0;
const event = <T extends BuildEventType>(type: T, data: Record<string, unknown>): EventEnvelope =>
  ({
    id: `evt-${++sequence}`,
    type,
    streamId: `build-${data.buildId}`,
    version: sequence,
    occurredAt: new Date().toISOString(),
    correlationId: String(data.buildId),
    causationId: 'cause',
    data,
  }) as EventEnvelope;

const preview = { project: 'shop', type: 'branch', image: 'registry.example.org/shop:7' };
const ignored = async (type: string) => (await DeploymentsMetrics.ignored.get()).values.find((v) => v.labels.type === type)?.value ?? 0;

describe('deployment requests: one exhaustive dispatch of domain events', () => {
  const transport = new InProcessTransport();
  const cluster = new InMemoryCluster();
  const bus = new RecordingBus();
  const logs = RecordingLogger.install();
  let app: INestMicroservice;

  beforeAll(async () => {
    const config = unitConfig();
    const locks = new WorkloadLocks(cluster, UNIT_OPTIONS.lease);
    const moduleRef = await Test.createTestingModule({
      controllers: [DeploymentRequestsController],
      providers: [
        { provide: WorkloadDeployer, useValue: new WorkloadDeployer(cluster, config, UNIT_OPTIONS, locks) },
        { provide: PreviewTeardown, useValue: new PreviewTeardown(cluster, config, UNIT_OPTIONS, locks) },
        { provide: JETSTREAM_CLIENT, useValue: bus },
        { provide: APP_CONFIG, useValue: config },
      ],
    })
      .setLogger(logs)
      .compile();
    app = moduleRef.createNestMicroservice({ strategy: transport });
    // As connectJetStream does: handler errors reach the transport as thrown.
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    logs.clear();
    cluster.clearCalls();
    bus.published.length = 0;
  });

  it('registers a handler for every domain event subject, so none is acknowledged unread', () => {
    const domainSubjects = Object.values(Subjects).filter((subject) => subject.startsWith('build.'));
    expect(transport.eventSubjects().sort()).toEqual([...domainSubjects].sort());
  });

  it('acts on exactly the requests whose dead letters approvals reads', () => {
    const acting = (Object.keys(Reactions) as BuildEventType[]).filter((type) => 'act' in Reactions[type]).map((type) => Subjects[type]);
    expect(acting.sort()).toEqual([...DeployerRequestSubjects].sort());
  });

  it('deploys a preview and reports its outcome on the outcome subject', async () => {
    await transport.deliver(
      event('PreviewDeploymentRequested', {
        buildId: 'b-1',
        attemptId: 'b-1:preview',
        ...preview,
        target: 'main',
        url: 'https://main.branch.example.org',
      }),
    );
    expect(bus.published).toEqual([
      {
        subject: Subjects.DeploymentSucceeded,
        event: expect.objectContaining({
          id: 'b-1:preview:outcome',
          data: expect.objectContaining({ environment: 'preview', requestId: 'b-1:preview' }),
        }),
      },
    ]);
  });

  it('deploys production and reports its outcome', async () => {
    await transport.deliver(
      event('ProductionDeploymentRequested', {
        buildId: 'b-1',
        attemptId: 'b-1:production:1',
        project: 'shop',
        image: preview.image,
        url: 'https://example.org',
        by: 'U0OWNER01',
        attempt: 1,
      }),
    );
    expect(bus.published).toEqual([
      {
        subject: Subjects.DeploymentSucceeded,
        event: expect.objectContaining({ data: expect.objectContaining({ environment: 'production', name: 'shop' }) }),
      },
    ]);
  });

  it('tears a preview down on a teardown request, and on a BuildClosed of an older version', async () => {
    await transport.deliver(
      event('PreviewTeardownRequested', {
        buildId: 'b-1',
        attemptId: 'b-1:teardown:1',
        project: 'shop',
        type: 'branch',
        target: 'main',
        reason: 'closed',
      }),
    );
    const closed = event('BuildClosed', { buildId: 'b-2', by: 'U0OWNER01', project: 'shop', type: 'branch', target: 'other' });
    await transport.deliver(closed);
    expect(bus.published.map((p) => [p.subject, p.event.id])).toEqual([
      [Subjects.PreviewTornDown, 'b-1:teardown:1:outcome'],
      [Subjects.PreviewTornDown, `${closed.id}:outcome`],
    ]);
  });

  it('acknowledges a BuildClosed with an attempt id on purpose: the teardown request that follows does the work', async () => {
    const before = await ignored('BuildClosed');
    await transport.deliver(
      event('BuildClosed', {
        buildId: 'b-3',
        attemptId: 'b-3:teardown:1',
        by: 'U0OWNER01',
        project: 'shop',
        type: 'branch',
        target: 'main',
      }),
    );
    expect(await ignored('BuildClosed')).toBe(before + 1);
    expect(logs.messages('debug')).toEqual([
      expect.stringMatching(/^BuildClosed asks nothing of the deployer: a PreviewTeardownRequested with the same attempt follows/),
    ]);
    expect(bus.published).toEqual([]);
    expect(cluster.calls()).toEqual([]);
  });

  it('acknowledges every other domain event on purpose: counted and logged at debug with the reason, the cluster untouched', async () => {
    const others = (Object.keys(Reactions) as BuildEventType[]).filter((type) => 'ignore' in Reactions[type]);
    expect(others).toHaveLength(19);
    for (const type of others) {
      const before = await ignored(type);
      await transport.deliver(event(type, { buildId: 'b-4' }));
      expect(await ignored(type)).toBe(before + 1);
    }
    expect(logs.messages('debug')).toEqual(
      others.map((type) => expect.stringMatching(new RegExp(`^${type} asks nothing of the deployer: .{20,}`))),
    );
    expect(bus.published).toEqual([]);
    expect(cluster.calls()).toEqual([]);
  });

  it('hands the shutdown to the work: an interrupted request reports nothing and is redelivered', async () => {
    const stopped = new AbortController();
    stopped.abort(new Interrupted());
    const request = event('PreviewDeploymentRequested', {
      buildId: 'b-5',
      attemptId: 'b-5:preview',
      ...preview,
      target: 'stopping',
      url: 'https://stopping.branch.example.org',
    });
    await expect(transport.deliver(request, stopped.signal)).rejects.toBeInstanceOf(Interrupted);
    expect(bus.published).toEqual([]);
  });
});
