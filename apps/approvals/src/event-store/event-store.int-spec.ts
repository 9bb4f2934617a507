import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/infra/test-infra';
import { PostgresEventStore } from './event-store';
import { StreamVersionConflict } from './event-store.errors';
import { openEventLog } from './event-log.data-source';
import { NewEvent } from './stored-event';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: DataSource;
const store = new PostgresEventStore();

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openEventLog(database.url);
});

afterAll(async () => {
  await db.destroy();
  await database.drop();
});

const event = (n: number): NewEvent => ({
  type: 'QaApproved',
  data: { n },
  metadata: { id: randomUUID(), occurredAt: new Date().toISOString(), correlationId: 'c', causationId: randomUUID() },
});
const events = (count: number): NewEvent[] => Array.from({ length: count }, (_, i) => event(i + 1));
const newStream = (): string => `build-${randomUUID()}`;

describe('PostgresEventStore', () => {
  it('appends one or many events after the expected version and reads them back in order', async () => {
    const stream = newStream();
    expect(await store.appendToStream(db, stream, 0, events(1))).toBe(1);
    expect(await store.appendToStream(db, stream, 1, events(3))).toBe(4);
    expect(await store.appendToStream(db, stream, 4, events(1))).toBe(5);

    const read = await store.readStream(db, stream);
    expect(read.version).toBe(5);
    expect(read.events.map((e) => [e.streamId, e.version, e.data])).toEqual([
      [stream, 1, { n: 1 }],
      [stream, 2, { n: 1 }],
      [stream, 3, { n: 2 }],
      [stream, 4, { n: 3 }],
      [stream, 5, { n: 1 }],
    ]);
  });

  it('reads a stream that does not exist as version 0 with no events', async () => {
    expect(await store.readStream(db, newStream())).toEqual({ version: 0, events: [] });
  });

  it.each([
    ['behind the stream (single event)', 0, 1],
    ['behind the stream (several events)', 1, 2],
    ['ahead of the stream (single event)', 3, 1],
    ['ahead of the stream (several events)', 5, 2],
  ])('refuses an append whose expected version is %s with a StreamVersionConflict and writes nothing', async (_case, expected, count) => {
    const stream = newStream();
    await store.appendToStream(db, stream, 0, events(2));

    const attempt = store.appendToStream(db, stream, expected, events(count));

    await expect(attempt).rejects.toBeInstanceOf(StreamVersionConflict);
    expect((await store.readStream(db, stream)).version).toBe(2);
  });

  it('lets exactly one of two concurrent transactions append after the same version', async () => {
    const stream = newStream();
    await store.appendToStream(db, stream, 0, events(1));

    const results = await Promise.allSettled(
      [1, 2].map(() =>
        db.transaction(async (em) => {
          await store.appendToStream(em, stream, 1, events(1));
          await new Promise((resolve) => setTimeout(resolve, 50)); // both hold their insert before committing
        }),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(StreamVersionConflict) });
    expect((await store.readStream(db, stream)).version).toBe(2);
  });

  it('appends inside the caller transaction: a rollback removes the events, with their transaction id recorded', async () => {
    const stream = newStream();
    await expect(
      db.transaction(async (em) => {
        await store.appendToStream(em, stream, 0, events(2));
        expect((await store.readStream(em, stream)).version).toBe(2); // visible to the transaction itself
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await store.readStream(db, stream)).version).toBe(0);

    const xid = await db.transaction(async (em) => {
      await store.appendToStream(em, stream, 0, events(1));
      const [{ id }] = (await em.query(`SELECT pg_current_xact_id()::text AS id`)) as { id: string }[];
      return id;
    });
    const [row] = (await db.query(`SELECT transaction_id::text AS xid FROM approvals.events WHERE stream_id = $1`, [stream])) as {
      xid: string;
    }[];
    expect(row.xid).toBe(xid);
  });
});
