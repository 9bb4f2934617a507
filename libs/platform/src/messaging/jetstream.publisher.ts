import { Logger } from '@nestjs/common';
import { headers as natsHeaders, JetStreamClient, NatsConnection, PubAck, StringCodec } from 'nats';
import { EventEnvelope } from '@app/contracts';
import { absoluteSubject } from './jetstream.options';
import { MessagingMetrics } from './messaging.metrics';

const codec = StringCodec();

/**
 * Publishes envelopes to JetStream and waits for the stream's ack.
 * `Nats-Msg-Id` is the envelope id, so a retried publish is stored once (within the
 * stream's duplicate window).
 *
 * Publishes asked for during one turn of the event loop go out together, at its end: the
 * NATS client writes its buffer to the socket once per batch rather than once per
 * message, which under concurrent load is the publisher's largest cost. Order is kept.
 */
export class JetStreamPublisher {
  private readonly js: JetStreamClient;
  private readonly logger = new Logger('JetStreamPublisher');
  /** Publishes waiting for the end of the current event-loop turn, in call order. */
  private batch: Array<() => void> = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {
    this.js = nc.jetstream({ timeout: timeoutMs });
  }

  /** Resolves once the stream stored the message (or had it already); rejects otherwise. */
  publish(subject: string, envelope: EventEnvelope): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      this.batch.push(() => this.publishNow(subject, envelope).then(resolve, reject));
      if (this.batch.length === 1) setImmediate(() => this.sendBatch());
    });
  }

  private sendBatch(): void {
    const batch = this.batch;
    this.batch = [];
    // Each publishNow hands its message to the client synchronously; the client flushes them in one write.
    for (const send of batch) send();
  }

  private async publishNow(subject: string, envelope: EventEnvelope): Promise<PubAck> {
    const h = natsHeaders();
    h.set('Deploybot-Type', envelope.type);
    h.set('Deploybot-Correlation-Id', envelope.correlationId);
    try {
      const ack = await this.js.publish(absoluteSubject(this.prefix, subject), codec.encode(JSON.stringify(envelope)), {
        msgID: envelope.id,
        headers: h,
        timeout: this.timeoutMs,
      });
      MessagingMetrics.published.inc({ subject, result: ack.duplicate ? 'duplicate' : 'ok' });
      return ack;
    } catch (error) {
      MessagingMetrics.published.inc({ subject, result: 'error' });
      this.logger.warn(`publish to ${subject} failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /** Core NATS request/reply (queries); rejects after the timeout. */
  async request<T>(subject: string, data: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const reply = await this.nc.request(absoluteSubject(this.prefix, subject), codec.encode(JSON.stringify(data)), { timeout: timeoutMs });
    return JSON.parse(codec.decode(reply.data)) as T;
  }
}
