import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventEnvelope, subjectOfEventType } from '@app/contracts';
import { JetStreamClient } from '@app/platform';
import { createTestDatabase, createTestNats } from '../../../../test/infra/test-infra';
import { ensureEventsStream, readJetStream } from '../../test/approvals-harness';
import { CommitNotifier } from '../event-store/commit-notifier';
import { PostgresEventStore } from '../event-store/event-store';
import { openEventLog } from '../event-store/event-log.data-source';
import { SqlExecutor } from '../event-store/sql-executor';
import { NewEvent } from '../event-store/stored-event';
import { EventPublisher, OutboxRelay } from './outbox-relay';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let db: DataSource;
const store = new PostgresEventStore();
const relays: OutboxRelay[] = [];
let client: JetStreamClient | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  db = await openEventLog(database.url);
  await ensureEventsStream(nats.url, nats.prefix);
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await client?.close();
  await db.destroy();
  await database.drop();
  await nats.cleanup();
});

/** A publisher that records what it was asked to publish, in order. */
class RecordingPublisher implements EventPublisher {
  readonly published: EventEnvelope[] = [];
  async publishEvent(_subject: string, envelope: EventEnvelope): Promise<void> {
    this.published.push(envelope);
  }
}

const previewDeployed = (buildId: string): NewEvent => {
  const id = randomUUID();
  return {
    type: 'PreviewDeployed',
    data: { buildId, url: `https://${buildId}.branch.example.org` },
    metadata: {
      id,
      occurredAt: new Date().toISOString(),
      correlationId: buildId,
      causationId: randomUUID(),
      actor: { kind: 'service', name: 'deployer' },
    },
  };
};

const append = async (executor: SqlExecutor, buildId: string): Promise<string> => {
  const event = previewDeployed(buildId);
  await store.appendToStream(executor, `build-${buildId}`, 0, [event]);
  return event.metadata.id;
};

const relay = (name: string, publisher: EventPublisher): OutboxRelay => {
  const r = new OutboxRelay({ databaseUrl: database.url, publisher, subjectOf: subjectOfEventType, name, pollMs: 50 });
  relays.push(r);
  r.start();
  return r;
};

const eventually = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('the outbox relay', () => {
  it('waits for a transaction that took a lower position but commits later, and publishes both', async () => {
    const recorder = new RecordingPublisher();
    relay('order', recorder);
    const a = db.createQueryRunner();
    await a.connect();
    await a.startTransaction();
    const eventA = await append(a.manager, 'order-a'); // takes the lower position, commits last
    const eventB = await append(db, 'order-b'); // commits first

    await new Promise((r) => setTimeout(r, 400));
    expect(recorder.published).toEqual([]); // B is held back: publishing it now would let A slip behind the checkpoint

    await a.commitTransaction();
    await a.release();
    await eventually(() => recorder.published.length === 2);
    expect(recorder.published.map((e) => e.id)).toEqual([eventA, eventB]);
    expect(recorder.published[0]).toMatchObject({
      type: 'PreviewDeployed',
      streamId: 'build-order-a',
      version: 1,
      correlationId: 'order-a',
    });
  });

  it('publishes an event exactly once when the relay dies after the publish and before the checkpoint', async () => {
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'relay-test' });
    let crashed = false;
    const crashingAfterPublish: EventPublisher = {
      publishEvent: async (subject, envelope) => {
        await client!.publishEvent(subject, envelope);
        crashed = true;
        throw new Error('process died before the checkpoint');
      },
    };
    const first = relay('restart', crashingAfterPublish);
    const published = await append(db, 'restart-1');
    await eventually(() => crashed);
    await first.stop();
    const committedWhileStopped = await append(db, 'restart-2');

    relay('restart', client);
    // (this relay has a checkpoint of its own, so it also publishes the first test's two events)
    await readJetStream(nats.url, nats.prefix, 'EVENTS', 4);
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate, which must not come
    const seen = await readJetStream(nats.url, nats.prefix, 'EVENTS', 4);
    expect(seen.filter((e) => e.correlationId.startsWith('restart-')).map((e) => e.id)).toEqual([published, committedWhileStopped]);
    expect(seen).toHaveLength(4);
  });

  it('wakes on the notification sent after a commit, long before its next poll', async () => {
    const recorder = new RecordingPublisher();
    const r = new OutboxRelay({
      databaseUrl: database.url,
      publisher: recorder,
      subjectOf: subjectOfEventType,
      name: 'notified',
      pollMs: 60_000,
    });
    relays.push(r);
    r.start();
    await eventually(() => r.isLeader() && recorder.published.length >= 2); // the backlog of the tests above
    const count = recorder.published.length;
    await append(db, 'notified-1');
    new CommitNotifier(db).committed();
    await eventually(() => recorder.published.length === count + 1, 2_000);
  });

  it('tries an unreachable Postgres once per poll, even with a wake-up pending (no tight reconnect loop)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const warnings: unknown[] = [];
    const logger = { log: () => undefined, warn: (m: unknown) => warnings.push(m), error: () => undefined };
    const r = new OutboxRelay({
      databaseUrl: `postgres://postgres@127.0.0.1:${closed}/none`,
      publisher: new RecordingPublisher(),
      subjectOf: subjectOfEventType,
      name: 'unreachable',
      pollMs: 100,
      logger,
    });
    relays.push(r);
    r.wake(); // a NOTIFY or a test asked for a pass: it stays pending while Postgres refuses
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await r.stop();
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings.length).toBeLessThanOrEqual(15); // once per 100 ms poll; the loop made thousands before
    expect(r.isHealthy()).toBe(false);
  });

  it('lets one replica publish at a time and hands over when it stops', async () => {
    const one = new RecordingPublisher();
    const two = new RecordingPublisher();
    const first = relay('replicas', one);
    await eventually(() => first.isLeader());
    const second = relay('replicas', two);
    await eventually(() => second.isHealthy());
    await append(db, 'replica-1');
    await eventually(() => one.published.some((e) => e.correlationId === 'replica-1'));
    expect(second.isLeader()).toBe(false);

    await first.stop();
    await eventually(() => second.isLeader());
    await append(db, 'replica-2');
    await eventually(() => two.published.some((e) => e.correlationId === 'replica-2'));
    expect(two.published.some((e) => e.correlationId === 'replica-1')).toBe(false); // resumed from the stored checkpoint
  });
});
