import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { ConsumerMessages, headers as natsHeaders, JsMsg, Msg, NatsConnection, StringCodec } from 'nats';
import { lastValueFrom } from 'rxjs';
import { deadLetterSubject, Streams, StreamName } from '@app/contracts';
import { describeIssues } from '../config/describe-issues';
import { JetStreamContext, PermanentError } from './jetstream.context';
import { absoluteSubject, DEFAULTS, JetStreamOptions, streamName } from './jetstream.options';
import { KeyedExecutor } from './keyed-executor';
import { MessagingMetrics } from './messaging.metrics';
import { connectNats } from './nats-connection';
import { ensureConsumer, ensureStream } from './stream-setup';
import { watchConnection } from './connection-state';

const codec = StringCodec();

/**
 * A Nest transport strategy over JetStream: at-least-once delivery to ordinary
 * `@EventPattern(Subjects.X)` handlers, and core NATS request/reply for `@MessagePattern`.
 *
 * - Streams and durable pull consumers are created or updated at start-up (idempotent).
 * - Each payload is validated against its schema before the handler runs; an invalid one
 *   is dead-lettered, not retried.
 * - A message is acked only after the handler's promise resolved; a failure is redelivered
 *   with backoff; after `maxDeliver` deliveries it is dead-lettered with a log line and a metric.
 * - Replicas of one service share a durable consumer, so each message reaches one of them.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private nc?: NatsConnection;
  private readonly iterators: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly executor: KeyedExecutor;
  private readonly opts: Required<Omit<JetStreamOptions, 'schemas' | 'consumers'>> & Pick<JetStreamOptions, 'schemas' | 'consumers'>;
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  private closing = false;
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
    return this.connection.up && !this.closing;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.nc = await connectNats(this.opts.servers, `${this.opts.service}-server`, this.opts.timeoutMs);
      this.connection = watchConnection(this.nc, this.logger);
      const jsm = await this.nc.jetstreamManager({ timeout: this.opts.timeoutMs });
      for (const stream of Object.keys(Streams) as StreamName[]) await ensureStream(jsm, this.opts.prefix, stream);
      for (const spec of this.opts.consumers ?? []) {
        const stream = streamName(this.opts.prefix, spec.stream);
        const durable = spec.durable ?? `${this.opts.service}-${spec.stream.toLowerCase()}`;
        await ensureConsumer(jsm, stream, durable, {
          maxDeliver: this.opts.maxDeliver,
          ackWaitMs: this.opts.ackWaitMs,
          maxAckPending: Math.max(this.opts.concurrency * 4, 64),
        });
        this.loops.push(this.consumeLoop(stream, durable));
      }
      this.subscribeQueries();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Stops pulling, lets in-flight handlers finish (and ack) for up to `shutdownTimeoutMs`,
   * then drains the connection. A handler still running then is left unacked: JetStream
   * redelivers its message to another instance, so nothing is lost by not waiting longer
   * (and Kubernetes would SIGKILL us after its grace period anyway).
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.iterators.map((it) => it.close().catch(() => undefined)));
    const finished = await Promise.race([
      this.executor.idle().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.opts.shutdownTimeoutMs).unref()),
    ]);
    // Handlers still running are abandoned to redelivery: stop telling the server they progress.
    for (const heartbeat of this.heartbeats) clearInterval(heartbeat);
    this.heartbeats.clear();
    if (!finished) this.logger.warn(`${this.executor.inFlight} message(s) still in progress after ${this.opts.shutdownTimeoutMs} ms; leaving them to be redelivered`);
    else await Promise.allSettled(this.loops);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }

  on(): never {
    throw new Error('JetStreamServer does not support event listeners; use status via isReady()');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening yet');
    return this.nc as T;
  }

  private async consumeLoop(stream: string, durable: string): Promise<void> {
    while (!this.closing) {
      try {
        const consumer = await this.nc!.jetstream({ timeout: this.opts.timeoutMs }).consumers.get(stream, durable);
        const messages = await consumer.consume({ max_messages: this.opts.concurrency * 2 });
        this.iterators.push(messages);
        for await (const m of messages) {
          // Extend the ack deadline from receipt on: a message may wait behind others of its build.
          const heartbeat = setInterval(() => m.working(), Math.max(this.opts.ackWaitMs / 3, 100));
          heartbeat.unref(); // never what keeps a stopping process alive
          this.heartbeats.add(heartbeat);
          const stopHeartbeat = () => (clearInterval(heartbeat), this.heartbeats.delete(heartbeat));
          await this.executor.slot();
          void this.executor.run(this.orderingKey(m), () => this.handle(m).finally(stopHeartbeat));
        }
      } catch (error) {
        if (this.closing) return;
        this.logger.warn(`consumer ${durable} on ${stream} stopped (${(error as Error).message}); resuming in 1 s`);
      }
      if (!this.closing) await new Promise((r) => setTimeout(r, 1_000));
    }
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

  private async handle(m: JsMsg): Promise<void> {
    const subject = this.relative(m.subject);
    const deliveries = m.info.redeliveryCount;
    const handler = this.getHandlerByPattern(subject);
    if (!handler || !handler.isEventHandler) {
      m.ack(); // another service's message on a shared stream
      return;
    }
    if (deliveries > this.opts.maxDeliver) return this.deadLetter(m, subject, `handler did not finish after ${deliveries - 1} deliveries`);

    let payload: unknown;
    try {
      payload = m.json();
    } catch {
      return this.deadLetter(m, subject, 'payload is not JSON');
    }
    const schema = this.opts.schemas?.[subject];
    if (schema) {
      const result = schema.safeParse(payload);
      if (!result.success) {
        const problems = describeIssues(result.error).join('; ');
        return this.deadLetter(m, subject, `invalid payload: ${problems}`);
      }
      payload = result.data;
    }

    const timer = MessagingMetrics.handlerSeconds.startTimer({ service: this.opts.service, subject });
    try {
      await this.invoke(handler, payload, new JetStreamContext([subject, deliveries, m.info.streamSequence]));
      await m.ackAck({ timeout: this.opts.timeoutMs }).catch((e) => this.logger.warn(`ack of ${subject} #${m.seq} failed: ${e.message}`));
      MessagingMetrics.handled.inc({ service: this.opts.service, subject, result: 'ok' });
    } catch (error) {
      MessagingMetrics.handled.inc({ service: this.opts.service, subject, result: 'error' });
      const reason = (error as Error)?.message ?? String(error);
      if (error instanceof PermanentError || deliveries >= this.opts.maxDeliver) {
        return this.deadLetter(m, subject, `${reason} (delivery ${deliveries} of ${this.opts.maxDeliver})`);
      }
      const delay = this.opts.backoffMs[Math.min(deliveries - 1, this.opts.backoffMs.length - 1)];
      this.logger.warn({ msg: 'handler failed; will redeliver', subject, deliveries, retryInMs: delay, error: reason });
      m.nak(delay);
    } finally {
      timer();
    }
  }

  private async invoke(handler: MessageHandler, payload: unknown, ctx: JetStreamContext): Promise<void> {
    const result = await handler(payload, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  private async deadLetter(m: JsMsg, subject: string, reason: string): Promise<void> {
    const h = natsHeaders();
    h.set('Deploybot-Dlq-Reason', reason.slice(0, 1_000));
    h.set('Deploybot-Original-Subject', m.subject);
    h.set('Deploybot-Deliveries', String(m.info.redeliveryCount));
    h.set('Deploybot-Service', this.opts.service);
    const target = absoluteSubject(this.opts.prefix, deadLetterSubject(this.opts.service, subject));
    try {
      await this.nc!.jetstream({ timeout: this.opts.timeoutMs }).publish(target, m.data, {
        headers: h,
        msgID: `${this.opts.service}:${m.info.stream}:${m.info.streamSequence}`,
      });
    } catch (error) {
      // Not dead-lettered: leave it to be redelivered rather than lose it.
      this.logger.error(`cannot dead-letter ${subject} #${m.info.streamSequence}: ${(error as Error).message}`);
      m.nak(this.opts.backoffMs.at(-1));
      return;
    }
    m.term();
    MessagingMetrics.deadLettered.inc({ service: this.opts.service, subject, reason: reason.split(':')[0].slice(0, 40) });
    this.logger.error({ msg: 'message dead-lettered', subject, deadLetterSubject: target, reason, streamSequence: m.info.streamSequence });
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
      const result = await handler(data, new JetStreamContext([pattern, 1, 0]));
      reply = await lastValueFrom(this.transformToObservable(result), { defaultValue: null });
    } catch (error) {
      this.logger.error(`query ${pattern} failed: ${(error as Error).message}`);
      reply = { ok: false, status: 500, message: 'query failed' };
    }
    msg.respond(codec.encode(JSON.stringify(reply)));
  }
}
