import { LoggerService } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { JetStreamManager, JsMsg, NatsConnection } from 'nats';
import type { z } from 'zod';
import { deadLetterSubject } from '@app/contracts';
import { describeIssues } from '../config/describe-issues';
import { ReplayHeaders } from '../dead-letters/replay-headers';
import { BuildOrder } from './build-order';
import type { ActiveConsumer } from './consumer-loop';
import { deadLetterHeaders, originalSubjectOf } from './dead-letters';
import { dependencyOutage } from './dependency-outage';
import { ageMs, humanDuration, Parsed, waitDelayMs } from './delivery';
import { isInterruption, JetStreamContext, PermanentError, RetryLater } from './jetstream.context';
import { absoluteSubject } from './jetstream.options';
import { MessagingMetrics } from './messaging.metrics';
import { ensureStream } from './stream-setup';
import { INTERRUPTIONS_FORGIVEN, UncountedCounts, UncountedDeliveries } from './uncounted-deliveries';
import { Pause, REQUEUE } from './keyed-executor';

export interface HandlingOptions {
  service: string;
  prefix: string;
  schemas?: Record<string, z.ZodType>;
  backoffMs: number[];
  timeoutMs: number;
  streamReplicas: number;
  retryLaterMaxAgeMs: number;
  retryLaterDelayMs: number;
  unknownSubjectMaxAgeMs: number;
  unknownSubjectRetryMs: number;
}

/** What the handler needs from the transport around it. */
export interface HandlingContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  uncounted: UncountedDeliveries;
  order: BuildOrder;
  lookup(subject: string): MessageHandler | undefined;
  invoke(handler: MessageHandler, payload: unknown, ctx: JetStreamContext): Promise<void>;
  shutdown: AbortSignal;
  stopping(): boolean;
  logger: LoggerService;
}

/**
 * The place in its build's order of a message this consumer takes in order: a domain event on a
 * consumer that sees all of its stream — except a replay from the DLQ (`npm run dlq -- replay`),
 * taken outside the order, which moved on when it was dead-lettered.
 */
const orderedEvent = (m: JsMsg, consumer: ActiveConsumer, parsed: Parsed) =>
  consumer.ordered && !m.headers?.get(ReplayHeaders.For) ? parsed.event : undefined;

/** Puts-off (at most 30 s apart) after which an old message stops waiting for its predecessor. */
const ORDER_WAIT_GIVE_UP = 100;

const failureKey = (m: JsMsg) => `${m.info.stream}/${m.info.streamSequence}`;

/** One delivery being handled, with its count (deliveries that do not count left out). */
interface Attempt {
  m: JsMsg;
  subject: string;
  consumer: ActiveConsumer;
  parsed: Parsed;
  counts: UncountedCounts;
  deliveries: number;
}

/**
 * Takes one delivery to an end: handled and acked; acked without a handler (another service's
 * subject) or as already finished; put off, uncounted (`RetryLater`, its build's previous message
 * unfinished, a subject this version does not know); handed back (shutdown); redelivered with
 * backoff; dead-lettered (or, on a dead-letter consumer, terminated). Every end of a domain event
 * is recorded in the build order, and nothing ends a message before its build's turn.
 */
export class DeliveryHandler {
  /** The last failure of recent messages, to name it when one is given up later (a dead letter that could not be published). */
  private readonly lastFailures = new Map<string, string>();

  constructor(
    private readonly options: HandlingOptions,
    private readonly ctx: HandlingContext,
  ) {}

  /** Handles one delivery; `REQUEUE` when a lower version of its build arrived in this process and goes first. */
  async handle(m: JsMsg, consumer: ActiveConsumer, parsed: Parsed, pause?: Pause): Promise<void | typeof REQUEUE> {
    const subject = this.relative(m.subject);
    const counts = await this.ctx.uncounted.count(m, consumer.durable);
    const attempt: Attempt = {
      m,
      subject,
      consumer,
      parsed,
      counts,
      deliveries: Math.max(1, m.info.redeliveryCount - counts.interrupted - counts.deferred),
    };
    const replayFor = m.headers?.get(ReplayHeaders.For) || undefined;
    if (replayFor && replayFor !== this.options.service) return this.end(attempt, 'replay-for-another', () => m.ack());
    const event = orderedEvent(m, consumer, parsed);
    if (event) {
      const turn = await this.ctx.order.turn(consumer, m, event, pause);
      if (turn === 'done') return this.end(attempt, 'duplicate', () => m.ackAck({ timeout: this.options.timeoutMs }));
      if (turn === 'requeue') return REQUEUE;
      if (turn === 'later' && this.ctx.stopping())
        return this.handBack(m, consumer, `shutdown while ${event.streamId} v${event.version - 1} is unfinished`);
      if (turn === 'later' && ageMs(m) >= this.options.retryLaterMaxAgeMs && counts.deferred >= ORDER_WAIT_GIVE_UP) {
        // Nothing waits longer than a RetryLater may: its predecessor is lost to this consumer (a
        // liveness backstop; with the record written before every ack it is not expected to fire).
        MessagingMetrics.handled.inc({ service: this.options.service, subject, result: 'out-of-order' });
        this.ctx.logger.error({
          msg: `taking ${event.streamId} v${event.version} out of order: v${event.version - 1} has not finished ${humanDuration(this.options.retryLaterMaxAgeMs)} after this one was sent`,
          subject,
          streamSequence: m.info.streamSequence,
        });
      } else if (turn === 'later') {
        const delayMs = this.ctx.order.laterDelayMs(consumer, event, waitDelayMs(counts.deferred));
        return this.putOff(attempt, delayMs, `${event.streamId} v${event.version - 1} is unfinished`, 'waiting');
      }
    }
    const handler = this.ctx.lookup(subject);
    if (!handler?.isEventHandler) return this.withoutHandler(attempt);
    if (attempt.deliveries > consumer.maxDeliver) {
      const last = this.lastFailures.get(failureKey(m));
      return this.giveUp(attempt, last ?? `handler did not finish after ${attempt.deliveries - 1} deliveries`);
    }
    const decoded = this.decode(parsed, subject);
    if ('problem' in decoded) return this.giveUp(attempt, decoded.problem);

    const timer = MessagingMetrics.handlerSeconds.startTimer({ service: this.options.service, subject });
    try {
      const context = new JetStreamContext([subject, attempt.deliveries, m.info.streamSequence, m.headers, this.ctx.shutdown]);
      await this.ctx.invoke(handler, decoded.payload, context);
      await this.end(attempt, 'ok', () => m.ackAck({ timeout: this.options.timeoutMs }));
    } catch (error) {
      await this.failed(attempt, error);
    } finally {
      timer();
    }
  }

  /** Back to JetStream at once; the delivery does not count, unless the count could not be recorded. */
  async handBack(m: JsMsg, consumer: ActiveConsumer, why: string, parsed?: Parsed): Promise<void> {
    const recorded = await this.ctx.uncounted.record(m, consumer.durable, 'interrupted');
    this.nak(m, consumer, parsed, 0);
    const subject = this.relative(m.subject);
    MessagingMetrics.handled.inc({ service: this.options.service, subject, result: 'interrupted' });
    this.ctx.logger.log({ msg: 'message handed back', subject, streamSequence: m.info.streamSequence, why, counted: !recorded });
  }

  /**
   * The end of a message: its version recorded as finished in the build order, then `settle`
   * (ack, term, dead letter). The record comes first, so it is never behind a message that
   * ended: a crash between the two brings the message back as a duplicate, acked at once. When
   * the record cannot be written (NATS away) the message is not ended but put off, uncounted:
   * it is handled again (handlers are idempotent) and recorded then (docs/reliability.md F2).
   */
  private async end(attempt: Attempt, result: string, settle: () => Promise<unknown> | void): Promise<void> {
    const { m, subject, consumer, parsed } = attempt;
    const event = orderedEvent(m, consumer, parsed);
    if (event && !(await this.ctx.order.finished(consumer, event))) {
      const why = `${event.streamId} v${event.version} ended (${result}) but its end could not be recorded in the build order`;
      return this.putOff(attempt, waitDelayMs(attempt.counts.deferred + 1), why, 'retry-later');
    }
    await Promise.resolve()
      .then(settle)
      .catch((error) =>
        this.ctx.logger.warn(
          `ack of ${subject} #${m.info.streamSequence} failed: ${(error as Error).message}; it comes back after ackWait`,
        ),
      );
    if (attempt.counts.interrupted || attempt.counts.deferred) await this.ctx.uncounted.forget(m, consumer.durable);
    MessagingMetrics.handled.inc({ service: this.options.service, subject, result });
  }

  /** Not counted: comes back after `delayMs`, and its build's later messages wait for it. */
  private async putOff(
    attempt: Attempt,
    delayMs: number,
    why: string,
    result: 'retry-later' | 'outage' | 'waiting' | 'unknown-subject',
  ): Promise<void> {
    const { m, subject, consumer } = attempt;
    const recorded = await this.ctx.uncounted.record(m, consumer.durable, 'deferred');
    this.nak(m, consumer, attempt.parsed, delayMs);
    MessagingMetrics.handled.inc({ service: this.options.service, subject, result });
    const line = {
      msg: 'message put off',
      subject,
      streamSequence: m.info.streamSequence,
      result,
      why,
      retryInMs: delayMs,
      counted: !recorded,
    };
    if (result === 'waiting') this.ctx.logger.debug?.(line);
    else if (result === 'outage') this.ctx.logger.warn(line);
    else this.ctx.logger.log(line);
  }

  /** No handler here: another service's subject (acked), a filtered consumer's gap (terminated), or a subject this version does not know. */
  private async withoutHandler(attempt: Attempt): Promise<void> {
    const { m, subject, consumer } = attempt;
    if (!this.knows(subject)) {
      const why = `the ${this.options.service} has no handler for ${subject}, a subject this version does not know`;
      if (ageMs(m) < this.options.unknownSubjectMaxAgeMs)
        return this.putOff(attempt, this.options.unknownSubjectRetryMs, `${why}; left for a replica that knows it`, 'unknown-subject');
      return this.giveUp(attempt, `${why}, and no replica handled it within ${humanDuration(this.options.unknownSubjectMaxAgeMs)}`);
    }
    if (!consumer.filterSubject) return this.end(attempt, 'ignored', () => m.ack()); // another service's message
    return this.giveUp(
      attempt,
      `the ${this.options.service} has no handler for ${subject}, which its consumer ${consumer.durable} filters in`,
      true,
    );
  }

  private async failed(attempt: Attempt, error: unknown): Promise<void> {
    const { m, subject, consumer, deliveries, counts } = attempt;
    let reason = (error as Error)?.message ?? String(error);
    if (isInterruption(error) && counts.interrupted < INTERRUPTIONS_FORGIVEN) return this.handBack(m, consumer, reason, attempt.parsed);
    const young = ageMs(m) < this.options.retryLaterMaxAgeMs;
    if (error instanceof RetryLater) {
      if (young) return this.putOff(attempt, error.delayMs ?? this.options.retryLaterDelayMs, reason, 'retry-later');
      reason = `still asked to retry later ${humanDuration(this.options.retryLaterMaxAgeMs)} after it was sent: ${reason}`;
    }
    const outage = error instanceof PermanentError || error instanceof RetryLater ? undefined : dependencyOutage(error);
    if (outage) {
      const why = `a dependency is unreachable (${outage}): ${reason}`;
      if (young)
        return this.putOff(attempt, this.options.backoffMs[Math.min(counts.deferred, this.options.backoffMs.length - 1)], why, 'outage');
      reason = `${why}, still ${humanDuration(this.options.retryLaterMaxAgeMs)} after it was sent`;
    }
    MessagingMetrics.handled.inc({ service: this.options.service, subject, result: 'error' });
    reason = `${reason} (delivery ${deliveries} of ${consumer.maxDeliver})`;
    this.lastFailures.delete(failureKey(m));
    this.lastFailures.set(failureKey(m), reason);
    if (this.lastFailures.size > 10_000) this.lastFailures.delete(this.lastFailures.keys().next().value!);
    if (error instanceof PermanentError || deliveries >= consumer.maxDeliver) return this.giveUp(attempt, reason);
    const delay = this.options.backoffMs[Math.min(deliveries - 1, this.options.backoffMs.length - 1)];
    this.ctx.logger.warn({ msg: 'handler failed; will redeliver', subject, deliveries, retryInMs: delay, error: reason });
    this.nak(m, consumer, attempt.parsed, delay);
  }

  /**
   * The end of a message this consumer cannot handle: a dead letter, or (a dead-letter consumer,
   * a filtered consumer's subject without handler) termination. A dead letter that cannot be
   * published leaves the message to be redelivered: it is never acked without one.
   */
  private async giveUp(attempt: Attempt, reason: string, terminate = attempt.consumer.deadLetters): Promise<void> {
    const { m, subject } = attempt;
    if (terminate) {
      return this.end(attempt, 'terminated', () => {
        m.term();
        MessagingMetrics.terminated.inc({ service: this.options.service, subject });
        this.ctx.logger.error({
          msg: 'message given up; it stays in its stream',
          subject,
          reason,
          stream: m.info.stream,
          streamSequence: m.info.streamSequence,
        });
      });
    }
    const target = absoluteSubject(this.options.prefix, deadLetterSubject(this.options.service, subject));
    if (!(await this.publishDeadLetter(attempt, target, reason))) return;
    this.lastFailures.delete(failureKey(m));
    await this.end(attempt, 'dead-lettered', () => m.term());
    MessagingMetrics.deadLettered.inc({ service: this.options.service, subject, reason: reason.split(':')[0].slice(0, 40) });
    this.ctx.logger.error({
      msg: 'message dead-lettered',
      subject,
      deadLetterSubject: target,
      reason,
      streamSequence: m.info.streamSequence,
    });
  }

  /** true once stored in the DLQ stream (re-created if it was deleted); false: nak'ed for a later try. */
  private async publishDeadLetter(attempt: Attempt, target: string, reason: string): Promise<boolean> {
    const { m, subject } = attempt;
    const publish = () =>
      this.ctx.nc.jetstream({ timeout: this.options.timeoutMs }).publish(target, m.data, {
        headers: deadLetterHeaders(m, this.options.service, reason),
        // Two replicas giving up the same message store one dead letter; the timestamp tells a re-created stream's sequences apart.
        msgID: `${this.options.service}:${m.info.stream}:${m.info.streamSequence}:${m.info.timestampNanos}`,
      });
    try {
      await publish().catch(async (error) => {
        if (!/503|no responders|stream not found/i.test(`${(error as { code?: string }).code} ${(error as Error).message}`)) throw error;
        await ensureStream(this.ctx.jsm, this.options.prefix, 'DLQ', this.options.streamReplicas);
        await publish();
      });
      return true;
    } catch (error) {
      const retryInMs = this.options.backoffMs.at(-1)!;
      MessagingMetrics.handled.inc({ service: this.options.service, subject, result: 'dead-letter-failed' });
      this.ctx.logger.error({
        msg: 'cannot dead-letter; the message will be redelivered and dead-lettered again',
        subject,
        streamSequence: m.info.streamSequence,
        retryInMs,
        error: (error as Error).message,
      });
      this.nak(m, attempt.consumer, attempt.parsed, retryInMs);
      return false;
    }
  }

  /** Back to JetStream for `delayMs`; the build's later messages in this process know not to hold for it. */
  private nak(m: JsMsg, consumer: ActiveConsumer, parsed: Parsed | undefined, delayMs: number): void {
    const event = parsed && orderedEvent(m, consumer, parsed);
    if (event) this.ctx.order.handedBack(consumer, event, delayMs);
    m.nak(delayMs || undefined);
  }

  /** The payload checked against its subject's schema (a dead letter's: its original subject's). */
  private decode(parsed: Parsed, subject: string): { payload: unknown } | { problem: string } {
    if (parsed.notJson) return { problem: 'payload is not JSON' };
    const schema = this.options.schemas?.[originalSubjectOf(subject) ?? subject];
    if (!schema) return { payload: parsed.body };
    const result = schema.safeParse(parsed.body);
    return result.success ? { payload: result.data } : { problem: `invalid payload: ${describeIssues(result.error).join('; ')}` };
  }

  /** In the catalogue this version was built with (a dead letter: its original subject); every subject when no catalogue is given. */
  private knows(subject: string): boolean {
    return !this.options.schemas || (originalSubjectOf(subject) ?? subject) in this.options.schemas;
  }

  private relative(subject: string): string {
    const { prefix } = this.options;
    return subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
  }
}
