import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import type { DataSource } from 'typeorm';
import { EventEnvelope, subjectOfEventType } from '@app/contracts';
import { JetStreamClient, PublishError, streamName } from '@app/platform';
import { createTestDatabase, createTestNats } from '../../../../test/infra/test-infra';
import { ensureEventsStream, readJetStream } from '../../test/approvals-harness';
import { PostgresEventStore } from '../event-store/event-store';
import { openEventLog } from '../event-store/event-log.data-source';
import { NewEvent } from '../event-store/stored-event';
import { EventPublisher, OutboxRelay } from './outbox-relay';
import { RelayMetrics } from './relay.metrics';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let db: DataSource;
const store = new PostgresEventStore();
const relays: OutboxRelay[] = [];
const clients: JetStreamClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  db = await openEventLog(database.url);
  await ensureEventsStream(nats.url, nats.prefix);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  // Each test starts from an empty log (relays of every name would otherwise publish the earlier tests' events).
  await db.query(`TRUNCATE approvals.events, approvals.relay_checkpoints`);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await db.destroy();
  await database.drop();
  await nats.cleanup();
});

/** Records what it was asked to publish; fails while `failing` says so. */
class RecordingPublisher implements EventPublisher {
  readonly published: EventEnvelope[] = [];
  failing?: (envelope: EventEnvelope) => Error | undefined;
  async publishEvent(_subject: string, envelope: EventEnvelope): Promise<void> {
    const error = this.failing?.(envelope);
    if (error) throw error;
    this.published.push(envelope);
  }
}

const event = (
  buildId: string,
  type = 'PreviewDeployed',
  data: unknown = { buildId, url: `https://${buildId}.example.org` },
): NewEvent => ({
  type,
  data,
  metadata: {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    correlationId: buildId,
    causationId: randomUUID(),
    actor: { kind: 'service', name: 'deployer' },
  },
});

const relay = (
  name: string,
  publisher: EventPublisher,
  subjectOf: (type: string) => string | undefined = subjectOfEventType,
  stuckAfterMs?: number,
): OutboxRelay => {
  const r = new OutboxRelay({ databaseUrl: database.url, publisher, subjectOf, name, pollMs: 50, parkedRetryMs: 200, stuckAfterMs });
  relays.push(r);
  r.start();
  return r;
};

const eventually = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const ofBuild = (published: EventEnvelope[], buildId: string) =>
  published.filter((e) => e.correlationId === buildId).map((e) => `${e.version}:${e.type}`);

jest.setTimeout(20_000);

/** The events of the prefix's EVENTS stream, or none while it does not exist. */
const stored = (count: number) => readJetStream(nats.url, nats.prefix, 'EVENTS', count, 200).catch(() => [] as EventEnvelope[]);

describe('the outbox relay with an event it cannot publish', () => {
  it('holds back that build only (its later events too, in order), goes on with the others, says so, and publishes the build once the event is publishable', async () => {
    const recorder = new RecordingPublisher();
    let knowsMystery = false;
    const subjectOf = (type: string) => (type === 'Mystery' ? (knowsMystery ? 'build.mystery' : undefined) : subjectOfEventType(type));
    await store.appendToStream(db, 'build-held', 0, [event('held'), event('held', 'Mystery', {}), event('held')]);
    await store.appendToStream(db, 'build-free', 0, [event('free')]);
    const r = relay('no-subject', recorder, subjectOf);

    await eventually(() => ofBuild(recorder.published, 'free').length === 1, 5_000, 'the other build published');
    await eventually(() => r.parkedBuilds() === 1, 5_000, 'the build held back');
    await store.appendToStream(db, 'build-free', 1, [event('free')]);
    await store.appendToStream(db, 'build-held', 3, [event('held')]);
    await eventually(() => ofBuild(recorder.published, 'free').length === 2, 5_000, 'the other build goes on');
    expect(ofBuild(recorder.published, 'held')).toEqual(['1:PreviewDeployed']);
    expect(r.isHealthy()).toBe(false);
    expect((await RelayMetrics.parkedBuilds.get()).values[0].value).toBe(1);

    knowsMystery = true; // a release that knows the type
    await eventually(() => r.parkedBuilds() === 0, 5_000, 'the build released');
    expect(ofBuild(recorder.published, 'held')).toEqual(['1:PreviewDeployed', '2:Mystery', '3:PreviewDeployed', '4:PreviewDeployed']);
    expect(r.isHealthy()).toBe(true);
    await store.appendToStream(db, 'build-held', 4, [event('held')]);
    await eventually(() => ofBuild(recorder.published, 'held').length === 5, 5_000, 'the build published normally again');
  });

  it('keeps a build held back across a restart of the publishing replica (stored, not in memory)', async () => {
    const recorder = new RecordingPublisher();
    recorder.failing = (e) =>
      e.correlationId === 'kept' && e.version === 1
        ? new PublishError('JetStream refused the publish: message size exceeds maximum allowed', 'refused')
        : undefined;
    await store.appendToStream(db, 'build-kept', 0, [event('kept'), event('kept')]);
    const first = relay('restart-held', recorder);
    await eventually(() => first.parkedBuilds() === 1, 5_000, 'held back');
    await first.stop();

    recorder.failing = undefined;
    const second = relay('restart-held', recorder);
    await eventually(() => ofBuild(recorder.published, 'kept').length === 2, 5_000, 'released by the next publisher');
    expect(ofBuild(recorder.published, 'kept')).toEqual(['1:PreviewDeployed', '2:PreviewDeployed']);
    // The build leaves the parked set (and its stored row) right after its last held event is published.
    await eventually(() => second.parkedBuilds() === 0, 5_000, 'nothing held back any more');
  });

  it('with real JetStream: a refused event (too large for the stream) holds back its build; raising the limit releases it in order', async () => {
    const client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'relay-parking' });
    clients.push(client);
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    const name = streamName(nats.prefix, 'EVENTS');
    const config = (await jsm.streams.info(name)).config;
    await jsm.streams.update(name, { ...config, max_msg_size: 4_096 });
    const big = event('big', 'PreviewDeployed', { buildId: 'big', url: `https://big.example.org/${'x'.repeat(10_000)}` });
    await store.appendToStream(db, 'build-big', 0, [big, event('big')]);
    await store.appendToStream(db, 'build-small', 0, [event('small')]);
    const r = relay('too-large', client);

    await eventually(() => r.parkedBuilds() === 1, 5_000, 'held back');
    const whileHeld = await readJetStream(nats.url, nats.prefix, 'EVENTS', 1);
    expect(whileHeld.some((e) => e.correlationId === 'small')).toBe(true);
    expect(whileHeld.some((e) => e.correlationId === 'big')).toBe(false);

    await jsm.streams.update(name, { ...config, max_msg_size: -1 });
    await eventually(() => r.parkedBuilds() === 0, 5_000, 'released');
    const after = await readJetStream(nats.url, nats.prefix, 'EVENTS', whileHeld.length + 2);
    expect(after.filter((e) => e.correlationId === 'big').map((e) => e.version)).toEqual([1, 2]);
    await nc.close();
  });

  it('re-creates a deleted EVENTS stream and publishes into it', async () => {
    const client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'relay-repair' });
    clients.push(client);
    const r = relay('repair', client);
    await store.appendToStream(db, 'build-before-delete', 0, [event('before-delete')]);
    await eventually(async () => (await stored(1)).some((e) => e.correlationId === 'before-delete'), 5_000, 'published');
    const nc = await connect({ servers: nats.url });
    await (await nc.jetstreamManager()).streams.delete(streamName(nats.prefix, 'EVENTS'));
    await nc.close();

    await store.appendToStream(db, 'build-after-delete', 0, [event('after-delete')]);
    await eventually(async () => (await stored(1)).some((e) => e.correlationId === 'after-delete'), 5_000, 'published into the new stream');
    expect(r.parkedBuilds()).toBe(0);
  });

  it('retries in place while JetStream fails as a whole, and is not ready once that lasts longer than stuckAfterMs', async () => {
    const recorder = new RecordingPublisher();
    let down = true;
    recorder.failing = () => (down ? new PublishError('JetStream did not acknowledge the publish within 5000 ms', 'timeout') : undefined);
    const r = relay('stuck', recorder, subjectOfEventType, 200);
    await store.appendToStream(db, 'build-stuck', 0, [event('stuck')]);
    await eventually(() => r.isLeader(), 5_000, 'publishing');
    await eventually(() => !r.isHealthy(), 5_000, 'not ready');
    expect(r.parkedBuilds()).toBe(0); // not held back: nothing is wrong with the event
    down = false;
    await eventually(() => r.isHealthy() && ofBuild(recorder.published, 'stuck').length === 1, 5_000, 'ready and published');
  });
});
