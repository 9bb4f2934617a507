import { Inject, Injectable, Logger } from '@nestjs/common';
import { MessageSchemas } from '@app/contracts';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { InputPublisher } from '../messaging/input-publisher';
import { clickInput } from './click-input';
import { SlackClick } from './interaction-parser';

/** What Slack shows the person who clicked when their click could not be taken. */
export interface EphemeralAnswer {
  response_type: 'ephemeral';
  text: string;
}

export const CLICK_NOT_TAKEN: EphemeralAnswer = {
  response_type: 'ephemeral',
  text: 'deploybot could not take your click right now — please try again',
};

/** What became of the clicks of one interaction. */
export type ClicksOutcome =
  /** Stored on JetStream: what follows shows up as message edits by the notifier. */
  | { kind: 'taken' }
  /** A click whose input breaks its contract: nothing published. */
  | { kind: 'invalid'; message: string }
  /** JetStream did not take them in time: the person is asked to try again. */
  | { kind: 'not-taken'; answer: EphemeralAnswer };

/**
 * Turns clicks on deploybot's buttons into inputs and publishes them, whatever carried them to the
 * gateway (an HTTP request checked by its signature, or a Socket Mode envelope on the connection the
 * app token opened). Never throws: the transport answers Slack from the outcome within its 3 s.
 */
@Injectable()
export class SlackInteractions {
  private readonly logger = new Logger('SlackInteractions');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly publisher: InputPublisher,
  ) {}

  async take(clicks: SlackClick[]): Promise<ClicksOutcome> {
    const now = new Date(this.clock.nowMs());
    const inputs = clicks.map((click) => clickInput(click, now));
    for (const input of inputs) {
      const valid = MessageSchemas[input.subject].safeParse(input.envelope);
      if (!valid.success) return { kind: 'invalid', message: valid.error.issues.map((i) => i.message).join('; ') };
    }
    try {
      await Promise.all(
        inputs.map((input) => this.publisher.publish('slack', input.subject, input.envelope, this.options.slackPublishTimeoutMs)),
      );
    } catch (error) {
      this.logger.warn({ msg: 'could not publish a Slack click; asked the user to try again', reason: (error as Error).message });
      return { kind: 'not-taken', answer: CLICK_NOT_TAKEN };
    }
    for (const { envelope } of inputs) {
      this.logger.log({
        msg: 'click accepted',
        type: envelope.type,
        id: envelope.id,
        buildId: envelope.data.buildId,
        correlationId: envelope.correlationId,
        user: envelope.data.user,
      });
    }
    return { kind: 'taken' };
  }
}
