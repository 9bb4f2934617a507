import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { AckPolicy, connect, headers, NatsConnection } from 'nats';
import { createTestNats } from '../../../../test/infra/test-infra';
import { startRecordingService, TestSubjects, until, work } from '../../test/transport-harness';
import { JetStreamClient } from '../messaging/jetstream.client';
import { PermanentError } from '../messaging/jetstream.context';
import { absoluteSubject, streamName } from '../messaging/jetstream.options';
import { DeadLetterAudit } from './dead-letter-audit';
import { DeadLetterStore } from './dead-letter-store';
import { runDlq } from './dlq.command';

/**
 * The CLI against real dead letters: a recording service (service name `recorder`, subject
 * `input.test-work`) dead-letters every message whose n is "poisoned", at once (PermanentError).
 * "Fixing" it means un-poisoning n; a replay is then handled, and `handled` records each time.
 */
describe('npm run dlq', () => {
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let app: INestApplication;
  let client: JetStreamClient;
  let nc: NatsConnection;
  const poisoned = new Set<number>();
  const handled: string[] = [];

  const dlq = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: nats.prefix, DLQ_OPERATOR: 'alice' };
    const code = await runDlq(argv, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const json = async <T>(...argv: string[]): Promise<T> => JSON.parse((await dlq(...argv, '--json')).out) as T;
  const store = async () => new DeadLetterStore(await nc.jetstreamManager(), nats.prefix);
  const deadLetterCount = async () => (await store()).summary('recorder').then((s) => s.count);

  /** Publishes poisoned work and waits for its dead letter; returns its DLQ sequence. */
  const deadLetter = async (n: number, build = `b-${n}`): Promise<number> => {
    poisoned.add(n);
    const before = await deadLetterCount();
    await client.publishEvent(TestSubjects.Work, work(n, `work-${n}-${Math.random().toString(36).slice(2)}`, build));
    await until(async () => (await deadLetterCount()) > before, 5_000, `the dead letter of ${n}`);
    const letters = await json<{ seq: number; payload: { data: { n: number } } }[]>('list');
    return letters.filter((l) => l.payload.data.n === n).at(-1)!.seq;
  };
  const handledCount = (n: number) => handled.filter((h) => h === `n=${n}`).length;

  beforeAll(async () => {
    nats = await createTestNats();
    nc = await connect({ servers: nats.url });
    client = new JetStreamClient({ servers: [nats.url], prefix: nats.prefix, name: 'dlq-test' });
    app = await startRecordingService({
      natsUrl: nats.url,
      prefix: nats.prefix,
      instance: 'a',
      behaviour: (m) => {
        if (poisoned.has(m.data.n)) throw new PermanentError(`cannot handle ${m.data.n}`);
        handled.push(`n=${m.data.n}`);
      },
    });
  });

  afterAll(async () => {
    await app.close();
    await client.close();
    await nc.close();
    await nats.cleanup();
  });

  beforeEach(() => {
    poisoned.clear();
    handled.length = 0;
  });

  it('lists dead letters per service with reason, age, deliveries, original subject and build, as a table or JSON', async () => {
    const seq = await deadLetter(101, 'build-101');
    const { code, out } = await dlq('list', '--service', 'recorder');
    expect(code).toBe(0);
    expect(out).toMatch(/^recorder: \d+ dead letters?, oldest \d+s$/m);
    expect(out).toMatch(
      new RegExp(`^${seq}\\s+recorder\\s+input\\.test-work\\s+build-101\\s+\\d+s\\s+1\\s+cannot handle 101 \\(delivery 1 of 3\\)$`, 'm'),
    );

    const [letter] = (await json<Record<string, unknown>[]>('list', '--subject', 'input.test-work')).filter((l) => l.seq === seq);
    expect(letter).toMatchObject({
      seq,
      service: 'recorder',
      subject: 'input.test-work',
      buildId: 'build-101',
      deliveries: 1,
      reason: 'cannot handle 101 (delivery 1 of 3)',
    });
    expect(typeof letter.ageSeconds).toBe('number');
    expect(await json<unknown[]>('list', '--service', 'deployer')).toEqual([]);
  });

  it('shows one dead letter with its headers and its payload as pretty JSON', async () => {
    const seq = await deadLetter(102);
    const { code, out } = await dlq('show', String(seq));
    expect(code).toBe(0);
    expect(out).toContain(`dead letter #${seq} in ${streamName(nats.prefix, 'DLQ')}`);
    expect(out).toContain('Deploybot-Dlq-Reason: cannot handle 102 (delivery 1 of 3)');
    expect(out).toContain(`Deploybot-Original-Subject: ${nats.prefix}.input.test-work`);
    expect(out).toContain('"data": {\n    "n": 102\n  }');
  });

  it('replays to the original subject: the service handles it, the DLQ no longer has it, history says who, when and why', async () => {
    const seq = await deadLetter(103);
    poisoned.delete(103);
    const { code, out } = await dlq('replay', String(seq), '--reason', 'handler fixed in 1.4.2');
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `^replayed #${seq} \\(recorder input.test-work, build b-103\\) as ${streamName(nats.prefix, 'INPUTS')} #\\d+; removed from the DLQ$`,
        'm',
      ),
    );
    await until(() => handledCount(103) === 1, 5_000, 'the replay handled');
    expect(await (await store()).get(seq)).toBeUndefined();

    const history = await json<Record<string, unknown>[]>('history', '--seq', String(seq));
    expect(history.map((r) => r.action)).toEqual(['replay-started', 'replayed']);
    expect(history[1]).toMatchObject({
      by: 'alice',
      why: 'handler fixed in 1.4.2',
      deadLetter: { seq, service: 'recorder', subject: 'input.test-work', buildId: 'b-103' },
      replay: { duplicate: false },
    });
    expect((await dlq('history')).out).toMatch(
      new RegExp(`replayed\\s+${seq}\\s+recorder\\s+input\\.test-work\\s+b-103\\s+alice\\s+handler fixed in 1\\.4\\.2`),
    );
  });

  it('replayed twice, one after the other or both at once, is handled once', async () => {
    const [a, b] = [await deadLetter(104), await deadLetter(105)];
    poisoned.clear();
    expect((await dlq('replay', String(a))).code).toBe(0);
    const again = await dlq('replay', String(a));
    expect(again).toMatchObject({ code: 0, out: expect.stringContaining(`#${a}: already replayed by alice`) });

    const racing = await Promise.all([dlq('replay', String(b)), dlq('replay', String(b))]);
    expect(racing.filter((r) => r.out.startsWith(`replayed #${b}`))).toHaveLength(1);

    await until(() => handledCount(104) === 1 && handledCount(105) === 1, 5_000, 'both replays handled');
    await new Promise((r) => setTimeout(r, 500)); // a second delivery would have come by now
    expect([handledCount(104), handledCount(105)]).toEqual([1, 1]);
  });

  it('finishes a replay that was interrupted after its publish without publishing it again', async () => {
    const seq = await deadLetter(106);
    poisoned.clear();
    // What a run that died right after republishing leaves: its claim and the message, not the rest.
    const letter = (await (await store()).get(seq))!;
    const audit = new DeadLetterAudit(await nc.jetstreamManager(), nc.jetstream(), nats.prefix);
    const claim = {
      action: 'replay-started' as const,
      at: new Date().toISOString(),
      by: 'bob',
      why: 'first try',
      deadLetter: {
        stream: streamName(nats.prefix, 'DLQ'),
        seq,
        service: 'recorder',
        subject: letter.subject,
        reason: letter.reason,
        deadLetteredAt: letter.deadLetteredAt.toISOString(),
      },
    };
    await audit.append(claim, 0);
    const h = headers();
    await nc.jetstream().publish(absoluteSubject(nats.prefix, letter.subject), letter.data, {
      msgID: `dlq-replay:${streamName(nats.prefix, 'DLQ')}:${seq}`,
      headers: h,
    });
    await until(() => handledCount(106) === 1, 5_000, 'the first replay handled');

    expect(await dlq('drop', String(seq), '--reason', 'x')).toMatchObject({
      code: 1,
      out: expect.stringContaining(`a replay of #${seq} started by bob`),
    });
    const { code, out } = await dlq('replay', String(seq));
    expect(code).toBe(0);
    expect(out).toContain('(already there: JetStream kept the first copy)');
    await new Promise((r) => setTimeout(r, 500));
    expect(handledCount(106)).toBe(1);
    expect(await (await store()).get(seq)).toBeUndefined();
  });

  it('replays --all of one service', async () => {
    await deadLetter(107);
    await deadLetter(108);
    poisoned.clear();
    const { code, out } = await dlq('replay', '--all', '--service', 'recorder', '--reason', 'outage over');
    expect(code).toBe(0);
    expect(out.split('\n').filter((l) => l.startsWith('replayed #')).length).toBeGreaterThanOrEqual(2);
    await until(() => handledCount(107) === 1 && handledCount(108) === 1, 5_000, 'both handled');
    expect(await json<unknown[]>('list', '--service', 'recorder')).toEqual([]);
  });

  it('drops with a reason and leaves a record; a second drop finds the record', async () => {
    const seq = await deadLetter(109);
    expect(await dlq('drop', String(seq))).toMatchObject({ code: 2, err: expect.stringContaining('drop needs --reason') });
    expect(await dlq('drop', String(seq), '--reason', 'test data, never valid', '--by', 'carol')).toMatchObject({
      code: 0,
      out: `dropped #${seq} (recorder input.test-work, build b-109): test data, never valid`,
    });
    expect(await (await store()).get(seq)).toBeUndefined();
    expect(await dlq('drop', String(seq), '--reason', 'again')).toMatchObject({
      code: 0,
      out: expect.stringContaining(`#${seq}: already dropped by carol`),
    });
    expect(await dlq('show', String(seq))).toMatchObject({
      code: 1,
      err: expect.stringContaining(`dead letter #${seq} is no longer in ${streamName(nats.prefix, 'DLQ')}: dropped by carol`),
    });
    const [record] = await json<Record<string, unknown>[]>('history', '--seq', String(seq));
    expect(record).toMatchObject({
      action: 'dropped',
      by: 'carol',
      why: 'test data, never valid',
      deadLetter: { seq, buildId: 'b-109', deliveries: 1 },
    });
    expect(handledCount(109)).toBe(0);
  });

  it('holds back what a DLQ consumer acts on: no drop before it has read it, no replay after, unless forced', async () => {
    const jsm = await nc.jetstreamManager();
    const dlqStream = streamName(nats.prefix, 'DLQ');
    await jsm.consumers.add(dlqStream, {
      durable_name: 'watcher-dlq-recorder',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${nats.prefix}.dlq.recorder.>`,
    });
    try {
      const [first, second] = [await deadLetter(110), await deadLetter(111)];
      const refused = await dlq('drop', String(first), '--reason', 'no longer needed');
      expect(refused.code).toBe(1);
      expect(refused.out).toContain(`refused #${first}: dead letter #${first} has not been read yet by watcher-dlq-recorder`);
      expect(await (await store()).get(first)).toBeDefined();

      // The watcher reads both (as approvals reads the deployer's): now a replay would come too late.
      const watcher = await nc.jetstream().consumers.get(dlqStream, 'watcher-dlq-recorder');
      for (let m = await watcher.next({ expires: 2_000 }); m; m = m.seq === second ? null : await watcher.next({ expires: 2_000 }))
        await m.ackAck();
      poisoned.clear();
      expect(await dlq('replay', String(first))).toMatchObject({
        code: 1,
        out: expect.stringContaining(`dead letter #${first} was acted on by watcher-dlq-recorder`),
      });
      expect(await dlq('drop', String(first), '--reason', 'owner retried from Slack')).toMatchObject({ code: 0 });

      expect(await dlq('replay', String(second), '--force', '--reason', 'checked by hand')).toMatchObject({ code: 0 });
      await until(() => handledCount(111) === 1, 5_000, 'the forced replay handled');
      const records = await json<Record<string, unknown>[]>('history', '--seq', String(second));
      expect(records.at(-1)).toMatchObject({ action: 'replayed', forced: true, why: 'checked by hand' });
      expect((await json<Record<string, unknown>[]>('history', '--seq', String(first)))[0].forced).toBeUndefined();
    } finally {
      await jsm.consumers.delete(dlqStream, 'watcher-dlq-recorder');
    }
  });

  it('names what is wrong: an unknown sequence, no DLQ stream under the prefix, NATS unreachable', async () => {
    expect(await dlq('show', '999999')).toMatchObject({
      code: 1,
      err: `dlq: there is no dead letter #999999 in ${streamName(nats.prefix, 'DLQ')} (dead letters expire after 30 days; see \`dlq list\`)`,
    });
    expect(await dlq('replay', '999999')).toMatchObject({ code: 1, err: expect.stringContaining('there is no dead letter #999999') });

    const errors: string[] = [];
    expect(
      await runDlq(['list'], {
        env: { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: `${nats.prefix}x` },
        out: () => undefined,
        err: (l) => errors.push(l),
      }),
    ).toBe(1);
    expect(errors).toEqual([
      `dlq: there is no dead-letter stream ${streamName(`${nats.prefix}x`, 'DLQ')} yet: no service has started with NATS_SUBJECT_PREFIX=${nats.prefix}x on this NATS ` +
        '(check NATS_URL and NATS_SUBJECT_PREFIX; the stream appears when the first service starts)',
    ]);

    const lines: string[] = [];
    expect(await runDlq(['list'], { env: { NATS_URL: 'nats://127.0.0.1:1' }, out: () => undefined, err: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual([
      'dlq: cannot reach NATS at nats://127.0.0.1:1 (CONNECTION_REFUSED): check NATS_URL, and that NATS is up and reachable from here',
    ]);
  });
});
