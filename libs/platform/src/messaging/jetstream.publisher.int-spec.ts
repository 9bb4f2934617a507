import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { connect, NatsConnection, StringCodec } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import { work } from '../../test/transport-harness';
import { absoluteSubject } from './jetstream.options';
import { JetStreamPublisher, PublishError } from './jetstream.publisher';

const codec = StringCodec();

/** A plain subscriber that never answers: there is a responder, so no 503, and never an ack. */
async function silentResponder(url: string, subject: string): Promise<NatsConnection> {
  const silent = await connect({ servers: url });
  silent.subscribe(subject);
  await silent.flush();
  return silent;
}

describe('JetStreamPublisher (real NATS JetStream)', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let nc: NatsConnection;
  let stream: string;

  beforeEach(async () => {
    nats = await createTestNats();
    nc = await connect({ servers: nats.url, noAsyncTraces: true });
    stream = `${nats.prefix.toUpperCase()}_PUBLISHER`;
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({
      name: stream,
      subjects: [absoluteSubject(nats.prefix, 'input.>')],
      duplicate_window: 60e9,
      max_msg_size: 2048,
    });
  });

  afterEach(async () => {
    if (!nc.isClosed()) await nc.close();
    await nats.cleanup();
  });

  const storedMessages = async () => {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const stored: Array<{ id: string; headers: Record<string, string> }> = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      const headers = Object.fromEntries([...(m.header?.keys() ?? [])].map((k) => [k, m.header!.get(k)]));
      stored.push({ id: (JSON.parse(codec.decode(m.data)) as { id: string }).id, headers });
    }
    return stored;
  };

  it('resolves with where the stream stored the message, its id as Nats-Msg-Id', async () => {
    const publisher = new JetStreamPublisher(nc, nats.prefix, 2_000);
    const message = work(1);
    const ack = await publisher.publish('input.test-work', message);
    expect(ack).toEqual({ stream, seq: 1, duplicate: false });
    expect(await storedMessages()).toEqual([
      {
        id: message.id,
        headers: { 'Nats-Msg-Id': message.id, 'Deploybot-Type': 'Work', 'Deploybot-Correlation-Id': message.correlationId },
      },
    ]);
  });

  it('stores a retried publish once and says it was a duplicate', async () => {
    const publisher = new JetStreamPublisher(nc, nats.prefix, 2_000);
    const message = work(2);
    await publisher.publish('input.test-work', message);
    expect(await publisher.publish('input.test-work', message)).toEqual({ stream, seq: 1, duplicate: true });
    expect(await storedMessages()).toHaveLength(1);
  });

  it('matches 1,000 concurrent publishes to their own acks, stored in the order they were asked for', async () => {
    const publisher = new JetStreamPublisher(nc, nats.prefix, 5_000);
    const messages = Array.from({ length: 1_000 }, (_, n) => work(n));
    const acks = await Promise.all(messages.map((m) => publisher.publish('input.test-work', m)));
    expect(acks.map((a) => a.seq)).toEqual(messages.map((_, n) => n + 1));
    expect((await storedMessages()).map((m) => m.id)).toEqual(messages.map((m) => m.id));
  });

  it('rejects when no stream stores the subject, naming it', async () => {
    const publisher = new JetStreamPublisher(nc, nats.prefix, 2_000);
    const publishing = publisher.publish('nowhere.subject', work(3));
    await expect(publishing).rejects.toThrow(PublishError);
    await expect(publishing).rejects.toThrow(`no JetStream stream stores ${nats.prefix}.nowhere.subject`);
  });

  it("rejects with the stream's reason when the stream refuses the message", async () => {
    const publisher = new JetStreamPublisher(nc, nats.prefix, 2_000);
    const big = { ...work(4), data: { n: 4, padding: 'x'.repeat(4_000) } };
    await expect(publisher.publish('input.test-work', big as never)).rejects.toThrow(
      /JetStream refused the publish to input.test-work: .*(maximum|size)/i,
    );
  });

  it('rejects once its timeout passed when nothing acknowledges', async () => {
    const silent = await silentResponder(nats.url, absoluteSubject(nats.prefix, 'quiet.>'));
    try {
      const publisher = new JetStreamPublisher(nc, nats.prefix, 5_000);
      const started = Date.now();
      await expect(publisher.publish('quiet.subject', work(5), 300)).rejects.toThrow(
        'JetStream did not acknowledge the publish to quiet.subject within 300 ms',
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await silent.close();
    }
  });

  it('rejects what is still waiting when the connection closes', async () => {
    const silent = await silentResponder(nats.url, absoluteSubject(nats.prefix, 'quiet.>'));
    try {
      const publisher = new JetStreamPublisher(nc, nats.prefix, 10_000);
      const publishing = publisher.publish('quiet.subject', work(6));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await nc.close();
      await expect(publishing).rejects.toThrow(/closed/);
    } finally {
      await silent.close();
    }
  });
});
