import { Body, Controller, HttpCode, Inject, Logger, Post, UseGuards } from '@nestjs/common';
import { MessageSchemas } from '@app/contracts';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { Refusal } from '../http/refusal';
import { bodyBytes } from '../http/request-body';
import { InputPublisher } from '../messaging/input-publisher';
import { clickInput } from './click-input';
import { parseInteraction } from './interaction-parser';
import { SlackSignatureGuard } from './slack-signature.guard';

/** What Slack shows the person who clicked when their click could not be taken. */
export interface EphemeralAnswer {
  response_type: 'ephemeral';
  text: string;
}

export const CLICK_NOT_TAKEN: EphemeralAnswer = {
  response_type: 'ephemeral',
  text: 'deploybot could not take your click right now — please try again',
};

/**
 * `POST /slack/interactions` (and `/slack-interactions`, the original ci-bot's path): Slack's interactivity
 * requests (button clicks). Only requests signed by Slack get past SlackSignatureGuard (401
 * otherwise, before the body is read as a payload, so nothing is published). Answered within Slack's 3 s, always 200: an empty body when the click was
 * stored (what follows shows up as message edits by the notifier), or an ephemeral
 * "try again" when NATS did not take it in time. The gateway never calls Slack's Web API.
 */
@Controller()
export class SlackInteractionsController {
  private readonly logger = new Logger('SlackInteractions');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly publisher: InputPublisher,
  ) {}

  @Post(['slack/interactions', 'slack-interactions'])
  @HttpCode(200)
  @UseGuards(SlackSignatureGuard)
  async interaction(@Body() body: unknown): Promise<EphemeralAnswer | undefined> {
    const parsed = parseInteraction(bodyBytes(body).toString('utf8'));
    if (!parsed.ok) throw new Refusal(400, { error: 'invalid interaction', message: parsed.message });
    const now = new Date(this.clock.nowMs());
    const inputs = parsed.clicks.map((click) => clickInput(click, now));
    for (const input of inputs) {
      const valid = MessageSchemas[input.subject].safeParse(input.envelope);
      if (!valid.success)
        throw new Refusal(400, { error: 'invalid interaction', message: valid.error.issues.map((i) => i.message).join('; ') });
    }
    try {
      await Promise.all(
        inputs.map((input) => this.publisher.publish('slack', input.subject, input.envelope, this.options.slackPublishTimeoutMs)),
      );
    } catch (error) {
      this.logger.warn({ msg: 'could not publish a Slack click; asked the user to try again', reason: (error as Error).message });
      return CLICK_NOT_TAKEN;
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
    return undefined;
  }
}
