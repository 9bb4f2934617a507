import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { JsMsg, Msg, NatsConnection, StringCodec } from 'nats';
import { lastValueFrom } from 'rxjs';
import { Streams, StreamName } from '@app/contracts';
import { BuildOrder } from './build-order';
import { ActiveConsumer, ConsumerLoop } from './consumer-loop';
import { parse } from './delivery';
import { DeliveryHandler } from './delivery-handler';
import { Interrupted, JetStreamContext } from './jetstream.context';
import {
  absoluteSubject,
  buildOrderBucket,
  ConsumerSpec,
  DEFAULTS,
  interruptionsBucket,
  JetStreamOptions,
  streamName,
} from './jetstream.options';
import { KeyedExecutor, REQUEUE } from './keyed-executor';
import { connectNats } from './nats-connection';
import { ensureStream } from './stream-setup';
import { UncountedDeliveries } from './uncounted-deliveries';
import { watchConnection } from './connection-state';

const codec = StringCodec();

/**
 * Deliveries a dead-letter consumer tries before it gives a dead letter up: long (≈ 50 min with
 * the default backoff, more across restarts), because it is the last chance to record what
 * happened, and dead-lettering it again would only loop into `dlq.<service>.dlq.…`.
 */
export const DEAD_LETTER_MAX_DELIVER = 100;

type ResolvedOptions = Required<Omit<JetStreamOptions, 'schemas' | 'consumers' | 'auth'>> &
  Pick<JetStreamOptions, 'schemas' | 'consumers' | 'auth'>;

/**
 * A Nest transport strategy over JetStream: at-least-once delivery to ordinary
 * `@EventPattern(Subjects.X)` handlers, and core NATS request/reply for `@MessagePattern`.
 *
 * - Streams and durable pull consumers are created or updated at start-up, and again whenever
 *   one is found deleted; readiness is false while any consumer is not consuming.
 * - Each payload is validated against its schema before the handler runs; an invalid one
 *   is dead-lettered, not retried.
 * - A message is acked only after the handler's promise resolved; a failure is redelivered
 *   with backoff; after `maxDeliver` counted deliveries it is dead-lettered with a log line and
 *   a metric. `Interrupted` (shutdown) hands it back uncounted; `RetryLater` puts it off,
 *   uncounted, up to `retryLaterMaxAgeMs`.
 * - A build's domain events take effect in version order on every replica, across failures and
 *   restarts (`BuildOrder`); inside one process, messages of one build are handled one at a time.
 * - A consumer of the DLQ stream gets dead letters with their headers; what it cannot handle it
 *   terminates (logged, left in the stream) instead of dead-lettering it again.
 * - Replicas of one service share a durable consumer, so each message reaches one of them.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private nc?: NatsConnection;
  private order?: BuildOrder;
  private deliveries?: DeliveryHandler;
  private readonly loops: ConsumerLoop[] = [];
  private readonly running: Promise<void>[] = [];
  private readonly executor: KeyedExecutor;
  private readonly opts: ResolvedOptions;
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  /** Received but not started; what a shutdown hands back, or records as interrupted. */
  private readonly waiting = new Map<JsMsg, ActiveConsumer>();
  private readonly shutdown = new AbortController();
  private probe?: NodeJS.Timeout;
  private uncounted?: UncountedDeliveries;
  private stopping = false;
  private closed?: Promise<void>;
  private connection = { up: false };
  protected override readonly logger = new Logger('JetStreamServer');

  constructor(options: JetStreamOptions) {
    super();
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.opts = { ...DEFAULTS, ...given } as ResolvedOptions;
    this.executor = new KeyedExecutor(this.opts.concurrency, this.opts.concurrency * 4);
  }

  /** true while connected to NATS and every consumer is pulling from an existing consumer. */
  isReady(): boolean {
    return this.connection.up && !this.stopping && this.loops.every((loop) => loop.consuming);
  }

  /** Each consumer's durable name and whether it is consuming right now (logs, tests). */
  consumerStates(): { stream: string; durable: string; consuming: boolean }[] {
    return this.loops.map((loop) => ({ stream: loop.consumer.stream, durable: loop.consumer.durable, consuming: loop.consuming }));
  }

  /**
   * The connection, once NATS answers: a service that starts while NATS is away (restarting, not
   * up yet) waits for it — not ready meanwhile — and says so once, instead of exiting at start.
   */
  private async connectWhenReachable(): Promise<NatsConnection> {
    const { opts } = this;
    const connecting = connectNats(opts.servers, `${opts.service}-server`, opts.timeoutMs, opts.auth, { waitForServer: true });
    const waiting = setTimeout(
      () => this.logger.warn({ msg: 'NATS does not answer yet; waiting for it (not ready meanwhile)', servers: opts.servers.join(',') }),
      opts.timeoutMs,
    );
    try {
      return await connecting;
    } finally {
      clearTimeout(waiting);
    }
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { opts } = this;
      this.nc = await this.connectWhenReachable();
      this.connection = watchConnection(this.nc, this.logger);
      const js = this.nc.jetstream({ timeout: opts.timeoutMs });
      const jsm = await this.nc.jetstreamManager({ timeout: opts.timeoutMs });
      this.uncounted = new UncountedDeliveries(js, interruptionsBucket(opts.prefix), this.logger, opts.streamReplicas);
      this.order = new BuildOrder(js, jsm, buildOrderBucket(opts.prefix), this.logger, {
        replicas: opts.streamReplicas,
        holdMs: opts.orderHoldMs,
        crowded: () => this.executor.saturated,
      });
      this.deliveries = new DeliveryHandler(opts, {
        nc: this.nc,
        jsm,
        uncounted: this.uncounted,
        order: this.order,
        lookup: (subject) => this.getHandlerByPattern(subject) ?? undefined,
        invoke: (handler, payload, ctx) => this.invoke(handler, payload, ctx),
        shutdown: this.shutdown.signal,
        stopping: () => this.stopping,
        logger: this.logger,
      });
      for (const stream of Object.keys(Streams) as StreamName[]) await ensureStream(jsm, opts.prefix, stream, opts.streamReplicas);
      if (opts.consumers?.length) await this.order.open();
      for (const spec of opts.consumers ?? []) {
        const consumer = this.activate(spec);
        const loop = new ConsumerLoop(consumer, this.nc, jsm, this.loopOptions(), (m) => this.dispatch(m, consumer), this.logger);
        await loop.setUp();
        this.loops.push(loop);
        this.running.push(loop.run());
      }
      this.probe = setInterval(() => this.loops.forEach((loop) => void loop.probe()), opts.probeMs).unref();
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
    clearInterval(this.probe);
    this.executor.release();
    this.order?.release();
    // Not awaited: a loop ends only once it has dispatched the messages it holds.
    for (const loop of this.loops) loop.stop();
    let finished = await within(this.opts.shutdownTimeoutMs, this.executor.idle());
    if (!finished) {
      this.logger.warn(
        `${this.executor.inFlight} handler(s) still running after ${this.opts.shutdownTimeoutMs} ms of shutdown; signalling them to stop`,
      );
      this.shutdown.abort(new Interrupted());
      finished = await within(this.opts.interruptTimeoutMs, this.executor.idle());
    }
    for (const heartbeat of this.heartbeats) clearInterval(heartbeat);
    this.heartbeats.clear();
    if (finished)
      await within(
        this.opts.interruptTimeoutMs,
        Promise.allSettled(this.running).then(() => this.executor.idle()),
      );
    else await this.abandon();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }

  /**
   * Leaves handlers that ignored the shutdown signal to redelivery. The messages queued behind
   * them (same build) never started: their next delivery is recorded as not counting. They are
   * not nak'ed: an immediate redelivery could overtake the abandoned message of their build.
   */
  private async abandon(): Promise<void> {
    this.logger.warn(
      `${this.executor.inFlight} handler(s) did not stop within ${this.opts.interruptTimeoutMs} ms of the shutdown signal; their messages come back after ackWait`,
    );
    const queued = [...this.waiting];
    this.waiting.clear();
    await within(
      this.opts.interruptTimeoutMs,
      Promise.allSettled(queued.map(([m, consumer]) => this.uncounted!.record(m, consumer.durable, 'interrupted'))),
    );
  }

  private activate(spec: ConsumerSpec): ActiveConsumer {
    const deadLetters = spec.stream === 'DLQ';
    const name = spec.filterSubject
      ? spec.filterSubject
          .split('.')
          .filter((t) => t !== '*' && t !== '>')
          .join('-')
      : spec.stream.toLowerCase();
    return {
      streamKey: spec.stream,
      stream: streamName(this.opts.prefix, spec.stream),
      durable: spec.durable ?? `${this.opts.service}-${name}`,
      filterSubject: spec.filterSubject && absoluteSubject(this.opts.prefix, spec.filterSubject),
      deadLetters,
      maxDeliver: deadLetters ? DEAD_LETTER_MAX_DELIVER : this.opts.maxDeliver,
      ordered: !deadLetters && !spec.filterSubject,
    };
  }

  private loopOptions() {
    const { prefix, timeoutMs, ackWaitMs, concurrency, streamReplicas } = this.opts;
    // Messages put off (RetryLater, waiting for their build's turn) stay pending on the consumer:
    // room for many of them, so that a Slack outage does not stop every other build's messages.
    return { prefix, timeoutMs, ackWaitMs, streamReplicas, batch: concurrency * 2, maxAckPending: Math.max(concurrency * 64, 1_000) };
  }

  private async dispatch(m: JsMsg, consumer: ActiveConsumer): Promise<void> {
    const parsed = parse(m);
    const stopHeartbeat = this.heartbeat(m);
    this.waiting.set(m, consumer);
    await this.executor.slot();
    if (parsed.event && consumer.ordered) this.order!.arrived(consumer, parsed.event);
    const rank = consumer.ordered ? (parsed.event?.version ?? 0) : 0;
    const task = this.executor.run(
      parsed.key,
      async (pause) => {
        let outcome: void | typeof REQUEUE = undefined;
        try {
          if (!this.waiting.delete(m)) return; // an abandoning shutdown already recorded it
          if (this.stopping) await this.deliveries!.handBack(m, consumer, 'not started before the shutdown', parsed);
          else outcome = await this.deliveries!.handle(m, consumer, parsed, pause);
          if (outcome === REQUEUE) this.waiting.set(m, consumer); // not started after all
          return outcome;
        } finally {
          if (outcome !== REQUEUE) stopHeartbeat();
        }
      },
      rank,
    );
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

  private async invoke(handler: MessageHandler, payload: unknown, ctx: JetStreamContext): Promise<void> {
    const result = await handler(payload, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
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
  return Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
