import { LoggerService } from '@nestjs/common';
import { ConsumerMessages, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import type { StreamName } from '@app/contracts';
import { ensureConsumer, ensureStream, isNotFound } from './stream-setup';

/** One consumer as it runs: where it reads and how it ends what it cannot handle. */
export interface ActiveConsumer {
  /** The catalogue's name (`INPUTS`), to re-create the stream. */
  streamKey: StreamName;
  stream: string;
  durable: string;
  filterSubject?: string;
  /** On the DLQ stream: gives up by terminating (with an error log), never by dead-lettering again. */
  deadLetters: boolean;
  maxDeliver: number;
  /** Sees every message of its stream (no filter, not dead letters): domain events are taken in version order. */
  ordered: boolean;
}

export interface ConsumerLoopOptions {
  prefix: string;
  timeoutMs: number;
  ackWaitMs: number;
  maxAckPending: number;
  /** Messages pulled ahead of the handlers. */
  batch: number;
  streamReplicas: number;
}

const RESUME_MS = 1_000;

/**
 * Pulls one durable consumer for as long as the transport runs, and repairs it: when the
 * consumer or its stream is deleted (or cannot be read), consumption stops, `consuming` turns
 * false (readiness), the stream and consumer are created again and consumption resumes — from
 * the first message the re-created consumer has not acked, i.e. the whole stream: messages
 * already handled are recognised as finished and acked without their handler when they carry a
 * version (per-build order), and handlers are idempotent for the rest.
 */
export class ConsumerLoop {
  private messages?: ConsumerMessages;
  private running = true;
  private state: 'starting' | 'consuming' | 'repairing' = 'starting';

  constructor(
    readonly consumer: ActiveConsumer,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: ConsumerLoopOptions,
    private readonly dispatch: (m: JsMsg) => Promise<void>,
    private readonly logger: LoggerService,
  ) {}

  /** Pulling from an existing consumer right now. */
  get consuming(): boolean {
    return this.state === 'consuming';
  }

  /** Creates (or updates) the stream and the consumer. */
  async setUp(): Promise<void> {
    const { consumer, options } = this;
    await ensureStream(this.jsm, options.prefix, consumer.streamKey, options.streamReplicas);
    await ensureConsumer(this.jsm, consumer.stream, consumer.durable, {
      ackWaitMs: options.ackWaitMs,
      maxAckPending: options.maxAckPending,
      filterSubject: consumer.filterSubject,
    });
  }

  async run(): Promise<void> {
    while (this.running) {
      try {
        const source = await this.nc
          .jetstream({ timeout: this.options.timeoutMs })
          .consumers.get(this.consumer.stream, this.consumer.durable);
        // Abort instead of the client's default (wait for ever for someone to restore it): we restore it.
        const messages = await source.consume({ max_messages: this.options.batch, abort_on_missing_resource: true });
        this.messages = messages;
        if (!this.running)
          void messages.close().catch(() => undefined); // stop() came while we connected
        else this.state = 'consuming';
        for await (const m of messages) await this.dispatch(m);
        if (this.running) throw new Error('the message iterator ended');
      } catch (error) {
        if (!this.running) break;
        this.state = 'repairing';
        this.logger.warn(
          `consumer ${this.consumer.durable} on ${this.consumer.stream} stopped (${(error as Error).message}); re-creating it in ${RESUME_MS} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, RESUME_MS));
      if (this.running) await this.repair();
    }
  }

  /**
   * Checks that the consumer still exists (a deletion without a pull in flight would otherwise
   * go unnoticed until the client's missed heartbeats, ~30 s); a missing one is repaired.
   */
  async probe(): Promise<void> {
    if (this.state !== 'consuming') return;
    try {
      await this.jsm.consumers.info(this.consumer.stream, this.consumer.durable);
    } catch (error) {
      if (!isNotFound(error) || this.state !== 'consuming') return;
      this.state = 'repairing';
      void this.messages?.close().catch(() => undefined);
    }
  }

  /** Stops pulling; the loop ends once the messages it holds were dispatched. */
  stop(): void {
    this.running = false;
    void this.messages?.close().catch(() => undefined);
  }

  private async repair(): Promise<void> {
    try {
      await this.setUp();
      this.logger.log(`consumer ${this.consumer.durable} on ${this.consumer.stream} is set up again; consuming`);
    } catch (error) {
      this.logger.error(
        `cannot re-create consumer ${this.consumer.durable} on ${this.consumer.stream}: ${(error as Error).message}; trying again in ${RESUME_MS} ms`,
      );
    }
  }
}
