import { Inject, Injectable } from '@nestjs/common';
import { EventEnvelope } from '@app/contracts';
import { JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import { DeadlineExceeded, withDeadline } from '../http/with-deadline';
import { GatewayMetrics } from '../http-metrics/gateway-metrics';

/** Where an input came from, for the publish-failure metric. */
export type InputSource = 'ci' | 'slack';

/**
 * Publishes inputs to JetStream and waits for the stream's ack, within a deadline that
 * suits the caller (CI retries on 503; Slack gives up after 3 s).
 */
@Injectable()
export class InputPublisher {
  constructor(@Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient) {}

  async publish(source: InputSource, subject: string, envelope: EventEnvelope, deadlineMs: number): Promise<void> {
    try {
      await withDeadline(this.client.publishEvent(subject, envelope), deadlineMs, `publish to ${subject}`);
    } catch (error) {
      GatewayMetrics.publishFailures.inc({ source, subject, reason: error instanceof DeadlineExceeded ? 'timeout' : 'error' });
      throw error;
    }
  }
}
