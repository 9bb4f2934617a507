import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { ConsumerMessages, JsMsg, Msg, NatsConnection, StringCodec } from 'nats';
import { lastValueFrom } from 'rxjs';
import { deadLetterSubject, Streams, StreamName } from '@app/contracts';
import { describeIssues } from '../config/describe-issues';
import { deadLetterHeaders, originalSubjectOf } from './dead-letters';
import { INTERRUPTIONS_FORGIVEN, InterruptionLedger } from './interruption-ledger';
import { Interrupted, isInterruption, JetStreamContext, PermanentError, RetryLater } from './jetstream.context';
import { absoluteSubject, ConsumerSpec, DEFAULTS, interruptionsBucket, JetStreamOptions, streamName } from './jetstream.options';
import { KeyedExecutor } from './keyed-executor';
import { MessagingMetrics } from './messaging.metrics';
import { connectNats } from './nats-connection';
import { ensureConsumer, ensureStream } from './stream-setup';
import { watchConnection } from './connection-state';

const codec = StringCodec();

/**
 * Deliveries a dead-letter consumer tries before it gives a dead letter up: long (≈ 50 min with
 * the default backoff, more across restarts), because it is the last chance to record what
 * happened, and dead-lettering it again would only loop into `dlq.<service>.dlq.…`.
 */
export const DEAD_LETTER_MAX_DELIVER = 100;

/** One consumer as it runs: where it reads and how it ends what it cannot handle. */
interface ActiveConsumer {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** On the DLQ stream: gives up by terminating (with an error log), never by dead-lettering again. */
  deadLetters: boolean;
  maxDeliver: number;
}

/** One delivery being handled, with its count (interrupted deliveries left out). */
interface Attempt {
  m: JsMsg;
  subject: string;
  consumer: ActiveConsumer;
  deliveries: number;
  interruptions: number;
}

/**
 * A Nest transport strategy over JetStream: at-least-once delivery to ordinary
 * `@EventPattern(Subjects.X)` handlers, and core NATS request/reply for `@MessagePattern`.
 *
 * - Streams and durable pull consumers are created or updated at start-up (idempotent).
 * - Each payload is validated against its schema before the handler runs; an invalid one
 *   is dead-lettered, not retried.
 * - A message is acked only after the handler's promise resolved; a failure is redelivered
 *   with backoff; after `maxDeliver` counted deliveries it is dead-lettered with a log line and
 *   a metric. A handler that throws `Interrupted` (shutdown) hands its message back uncounted.
 * - A consumer of the DLQ stream gets dead letters with their headers; what it cannot handle it
 *   terminates (logged, left in the stream) instead of dead-lettering it again.
 * - Replicas of one service share a durable consumer, so each message reaches one of them.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private nc?: NatsConnection;
  private ledger?: InterruptionLedger;
  private readonly iterators: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly executor: KeyedExecutor;
  private readonly opts: Required<Omit<JetStreamOptions, 'schemas' | 'consumers'>> & Pick<JetStreamOptions, 'schemas' | 'consumers'>;
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  /** Received but not started; what a shutdown hands back, or records as interrupted. */
  private readonly waiting = new Map<JsMsg, ActiveConsumer>();
  private readonly shutdown = new AbortController();
  private stopping = false;
  private closed?: Promise<void>;
  private connection = { up: false };
  protected override readonly logger = new Logger('JetStreamServer');

  constructor(options: JetStreamOptions) {
    super();
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.opts = { ...DEFAULTS, ...given } as typeof this.opts;
    this.executor = new KeyedExecutor(this.opts.concurrency);
  }

  /** true while connected to NATS and consuming. */
  isReady(): boolean {
    return this.connection.up && !this.stopping;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.nc = await connectNats(this.opts.servers, `${this.opts.service}-server`, this.opts.timeoutMs);
      this.connection = watchConnection(this.nc, this.logger);
      this.ledger = new InterruptionLedger(this.nc.jetstream({ timeout: this.opts.timeoutMs }), interruptionsBucket(this.opts.prefix), this.logger);
      const jsm = await this.nc.jetstreamManager({ timeout: this.opts.timeoutMs });
      for (const stream of Object.keys(Streams) as StreamName[]) await ensureStream(jsm, this.opts.prefix, stream);
      for (const spec of this.opts.consumers ?? []) {
        const consumer = this.activate(spec);
        await ensureConsumer(jsm, consumer.stream, consumer.durable, {
          maxDeliver: consumer.maxDeliver,
          ackWaitMs: this.opts.ackWaitMs,
          maxAckPending: Math.max(this.opts.concurrency * 4, 64),
          filterSubject: consumer.filterSubject,
        });
        this.loops.push(this.consumeLoop(consumer));
      }
      this.subscribeQueries();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Stops pulling at once; messages received but not started are handed back, uncounted.
   * In-flight handlers run on for up to `shutdownTimeoutMs`; then their shutdown signal is
   * aborted and they get `interruptTimeoutMs` to throw `Interrupted` and be handed back. One still
   * running after that is abandoned: its message comes back after ackWait, counted (it may be
   * what hangs). Then the connection drains. Safe to call twice (a signal handler, then Nest).
   */
  close(): Promise<void> {
    this.closed ??= this.stop();
    return this.closed;
  }

  on(): never {
    throw new Error('JetStreamServer does not support event listeners; use status via isReady()');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening yet');
    return this.nc as T;
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    this.executor.release();
    // Not awaited: an iterator closes only once the loop has taken the messages it holds.
    for (const it of this.iterators) void it.close().catch(() => undefined);
    let finished = await within(this.opts.shutdownTimeoutMs, this.executor.idle());
    if (!finished) {
      this.logger.warn(`${this.executor.inFlight} handler(s) still running after ${this.opts.shutdownTimeoutMs} ms of shutdown; signalling them to stop`);
      this.shutdown.abort(new Interrupted());
      finished = await within(this.opts.interruptTimeoutMs, this.executor.idle());
    }
    for (const heartbeat of this.heartbeats) clearInterval(heartbeat);
    this.heartbeats.clear();
    if (finished) await within(this.opts.interruptTimeoutMs, Promise.allSettled(this.loops).then(() => this.executor.idle()));
    else await this.abandon();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }

  /**
   * Leaves handlers that ignored the shutdown signal to redelivery. The messages queued behind
   * them (same build) never started: their next delivery is recorded as not counting. They are
   * not nak'ed: an immediate redelivery could overtake the abandoned message of their build.
   */
  private async abandon(): Promise<void> {
    this.logger.warn(`${this.executor.inFlight} handler(s) did not stop within ${this.opts.interruptTimeoutMs} ms of the shutdown signal; their messages come back after ackWait`);
    const queued = [...this.waiting];
    this.waiting.clear();
    await within(this.opts.interruptTimeoutMs, Promise.allSettled(queued.map(([m, consumer]) => this.ledger!.record(m, consumer.durable))));
  }

  private activate(spec: ConsumerSpec): ActiveConsumer {
    const deadLetters = spec.stream === 'DLQ';
    const name = spec.filterSubject ? spec.filterSubject.split('.').filter((t) => t !== '*' && t !== '>').join('-') : spec.stream.toLowerCase();
    return {
      stream: streamName(this.opts.prefix, spec.stream),
      durable: spec.durable ?? `${this.opts.service}-${name}`,
      filterSubject: spec.filterSubject && absoluteSubject(this.opts.prefix, spec.filterSubject),
      deadLetters,
      maxDeliver: deadLetters ? DEAD_LETTER_MAX_DELIVER : this.opts.maxDeliver,
    };
  }

  private async consumeLoop(consumer: ActiveConsumer): Promise<void> {
    while (!this.stopping) {
      try {
        const source = await this.nc!.jetstream({ timeout: this.opts.timeoutMs }).consumers.get(consumer.stream, consumer.durable);
        const messages = await source.consume({ max_messages: this.opts.concurrency * 2 });
        this.iterators.push(messages);
        if (this.stopping) void messages.close().catch(() => undefined); // close() came while we connected
        for await (const m of messages) await this.dispatch(m, consumer);
      } catch (error) {
        if (this.stopping) return;
        this.logger.warn(`consumer ${consumer.durable} on ${consumer.stream} stopped (${(error as Error).message}); resuming in 1 s`);
      }
      if (!this.stopping) await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  private async dispatch(m: JsMsg, consumer: ActiveConsumer): Promise<void> {
    const stopHeartbeat = this.heartbeat(m);
    this.waiting.set(m, consumer);
    await this.executor.slot();
    const task = this.executor.run(this.orderingKey(m), async () => {
      try {
        if (!this.waiting.delete(m)) return; // an abandoning shutdown already recorded it
        if (this.stopping) await this.handBack(m, consumer, 'not started before the shutdown');
        else await this.handle(m, consumer);
      } finally {
        stopHeartbeat();
      }
    });
    // E.g. a nak after the connection closed (a handler abandoned at shutdown finishing late):
    // the message comes back after ackWait; the process must not die of an unhandled rejection.
    task.catch((error) => this.logger.warn(`${m.subject} #${m.info.streamSequence} not settled: ${(error as Error).message}`));
  }

  /** Extends the ack deadline from receipt on: a message may wait behind others of its build. */
  private heartbeat(m: JsMsg): () => void {
    const timer = setInterval(() => m.working(), Math.max(this.opts.ackWaitMs / 3, 100));
    timer.unref(); // never what keeps a stopping process alive
    this.heartbeats.add(timer);
    return () => (clearInterval(timer), this.heartbeats.delete(timer));
  }

  /** Messages of one build are handled in order; others in parallel. */
  private orderingKey(m: JsMsg): string {
    try {
      const body = m.json<{ correlationId?: unknown }>();
      return typeof body.correlationId === 'string' ? body.correlationId : m.subject;
    } catch {
      return m.subject;
    }
  }

  private relative(subject: string): string {
    return subject.startsWith(`${this.opts.prefix}.`) ? subject.slice(this.opts.prefix.length + 1) : subject;
  }

  private async handle(m: JsMsg, consumer: ActiveConsumer): Promise<void> {
    const subject = this.relative(m.subject);
    const handler = this.getHandlerByPattern(subject);
    if (!handler || !handler.isEventHandler) return this.withoutHandler(m, subject, consumer);
    const interruptions = await this.ledger!.count(m, consumer.durable);
    const attempt: Attempt = { m, subject, consumer, interruptions, deliveries: Math.max(1, m.info.redeliveryCount - interruptions) };
    if (attempt.deliveries > consumer.maxDeliver) return this.giveUp(attempt, `handler did not finish after ${attempt.deliveries - 1} deliveries`);

    const decoded = this.decode(m, subject);
    if ('problem' in decoded) return this.giveUp(attempt, decoded.problem);

    const timer = MessagingMetrics.handlerSeconds.startTimer({ service: this.opts.service, subject });
    try {
      const ctx = new JetStreamContext([subject, attempt.deliveries, m.info.streamSequence, m.headers, this.shutdown.signal]);
      await this.invoke(handler, decoded.payload, ctx);
      await m.ackAck({ timeout: this.opts.timeoutMs }).catch((e) => this.logger.warn(`ack of ${subject} #${m.seq} failed: ${e.message}`));
      if (interruptions) await this.ledger!.forget(m, consumer.durable);
      MessagingMetrics.handled.inc({ service: this.opts.service, subject, result: 'ok' });
    } catch (error) {
      await this.failed(attempt, error);
    } finally {
      timer();
    }
  }

  /** A filtered consumer asked for exactly these subjects; an unfiltered one shares its stream with other services. */
  private withoutHandler(m: JsMsg, subject: string, consumer: ActiveConsumer): void {
    if (!consumer.filterSubject) return void m.ack();
    this.terminate(m, subject, `the ${this.opts.service} has no handler for ${subject}, which its consumer ${consumer.durable} filters in`);
  }

  /** The payload as JSON, checked against its subject's schema (a dead letter's: its original subject's). */
  private decode(m: JsMsg, subject: string): { payload: unknown } | { problem: string } {
    let payload: unknown;
    try {
      payload = m.json();
    } catch {
      return { problem: 'payload is not JSON' };
    }
    const schema = this.opts.schemas?.[originalSubjectOf(subject) ?? subject];
    if (!schema) return { payload };
    const result = schema.safeParse(payload);
    return result.success ? { payload: result.data } : { problem: `invalid payload: ${describeIssues(result.error).join('; ')}` };
  }

  private async failed(attempt: Attempt, error: unknown): Promise<void> {
    const { m, subject, consumer, deliveries } = attempt;
    const reason = (error as Error)?.message ?? String(error);
    if (isInterruption(error) && attempt.interruptions < INTERRUPTIONS_FORGIVEN) return this.handBack(m, consumer, reason);
    if (error instanceof RetryLater && attempt.interruptions < INTERRUPTIONS_FORGIVEN) return this.handBack(m, consumer, reason, error.delayMs ?? 30_000);
    MessagingMetrics.handled.inc({ service: this.opts.service, subject, result: 'error' });
    if (error instanceof PermanentError || deliveries >= consumer.maxDeliver) {
      return this.giveUp(attempt, `${reason} (delivery ${deliveries} of ${consumer.maxDeliver})`);
    }
    const delay = this.opts.backoffMs[Math.min(deliveries - 1, this.opts.backoffMs.length - 1)];
    this.logger.warn({ msg: 'handler failed; will redeliver', subject, deliveries, retryInMs: delay, error: reason });
    m.nak(delay);
  }

  /** Back to JetStream at once; the delivery does not count, unless the ledger could not record it. */
  private async handBack(m: JsMsg, consumer: ActiveConsumer, why: string, delayMs?: number): Promise<void> {
    const recorded = await this.ledger!.record(m, consumer.durable);
    m.nak(delayMs);
    const subject = this.relative(m.subject);
    MessagingMetrics.handled.inc({ service: this.opts.service, subject, result: 'interrupted' });
    this.logger.log({ msg: 'message handed back', subject, streamSequence: m.info.streamSequence, why, counted: !recorded });
  }

  /** The end of a message this consumer cannot handle: a dead letter, or for a dead-letter consumer termination. */
  private async giveUp(attempt: Attempt, reason: string): Promise<void> {
    const { m, subject, consumer } = attempt;
    if (consumer.deadLetters) this.terminate(m, subject, reason);
    else if (!(await this.deadLetter(m, subject, reason))) return;
    if (attempt.interruptions) await this.ledger!.forget(m, consumer.durable);
  }

  /** No more deliveries to this consumer, no dead letter; the message stays in its stream for an operator. */
  private terminate(m: JsMsg, subject: string, reason: string): void {
    m.term();
    MessagingMetrics.terminated.inc({ service: this.opts.service, subject });
    this.logger.error({ msg: 'message given up; it stays in its stream', subject, reason, stream: m.info.stream, streamSequence: m.info.streamSequence });
  }

  private async invoke(handler: MessageHandler, payload: unknown, ctx: JetStreamContext): Promise<void> {
    const result = await handler(payload, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /** true once published and terminated; false when left to be redelivered (the publish failed). */
  private async deadLetter(m: JsMsg, subject: string, reason: string): Promise<boolean> {
    const target = absoluteSubject(this.opts.prefix, deadLetterSubject(this.opts.service, subject));
    try {
      await this.nc!.jetstream({ timeout: this.opts.timeoutMs }).publish(target, m.data, {
        headers: deadLetterHeaders(m, this.opts.service, reason),
        msgID: `${this.opts.service}:${m.info.stream}:${m.info.streamSequence}`,
      });
    } catch (error) {
      // Not dead-lettered: leave it to be redelivered rather than lose it.
      this.logger.error(`cannot dead-letter ${subject} #${m.info.streamSequence}: ${(error as Error).message}`);
      m.nak(this.opts.backoffMs.at(-1));
      return false;
    }
    m.term();
    MessagingMetrics.deadLettered.inc({ service: this.opts.service, subject, reason: reason.split(':')[0].slice(0, 40) });
    this.logger.error({ msg: 'message dead-lettered', subject, deadLetterSubject: target, reason, streamSequence: m.info.streamSequence });
    return true;
  }

  /** Request/reply for `@MessagePattern` handlers (queries), on core NATS with a queue group per service. */
  private subscribeQueries(): void {
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.isEventHandler) continue;
      this.nc!.subscribe(absoluteSubject(this.opts.prefix, pattern), {
        queue: this.opts.service,
        callback: (error, msg) => {
          if (!error) void this.answer(pattern, handler, msg);
        },
      });
    }
  }

  private async answer(pattern: string, handler: MessageHandler, msg: Msg): Promise<void> {
    let reply: unknown;
    try {
      const data = msg.data.length ? JSON.parse(codec.decode(msg.data)) : {};
      const result = await handler(data, new JetStreamContext([pattern, 1, 0, msg.headers, this.shutdown.signal]));
      reply = await lastValueFrom(this.transformToObservable(result), { defaultValue: null });
    } catch (error) {
      this.logger.error(`query ${pattern} failed: ${(error as Error).message}`);
      reply = { ok: false, status: 500, message: 'query failed' };
    }
    msg.respond(codec.encode(JSON.stringify(reply)));
  }
}

/** Waits for `work` up to `ms`; true if it settled in time. */
function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([work.then(() => true, () => true), timeout]).finally(() => clearTimeout(timer));
}
