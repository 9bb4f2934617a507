import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Refusal } from '../http/refusal';
import { bodyBytes } from '../http/request-body';
import { parseInteraction } from './interaction-parser';
import { SlackInteractions } from './slack-interactions.service';
import type { EphemeralAnswer, ViewErrorsAnswer } from './slack-interactions.service';
import { SlackSignatureGuard } from './slack-signature.guard';

export { CLICK_NOT_TAKEN } from './slack-interactions.service';
export type { EphemeralAnswer } from './slack-interactions.service';

/**
 * `POST /slack/interactions` (and `/slack-interactions`, the original ci-bot's path): Slack's interactivity
 * requests (button clicks) over HTTP. Only requests signed by Slack get past SlackSignatureGuard (401
 * otherwise, before the body is read as a payload, so nothing is published). Answered within Slack's 3 s, always 200: an empty body when the click was
 * stored (what follows shows up as message edits by the notifier), or an ephemeral
 * "try again" when NATS did not take it in time. The gateway never calls Slack's Web API.
 * What a click means is SlackInteractions' (Socket Mode hands it the same clicks).
 */
@Controller()
export class SlackInteractionsController {
  constructor(private readonly interactions: SlackInteractions) {}

  @Post(['slack/interactions', 'slack-interactions'])
  @HttpCode(200)
  @UseGuards(SlackSignatureGuard)
  async interaction(@Body() body: unknown): Promise<EphemeralAnswer | ViewErrorsAnswer | undefined> {
    const parsed = parseInteraction(bodyBytes(body).toString('utf8'));
    if (!parsed.ok) throw new Refusal(400, { error: 'invalid interaction', message: parsed.message });
    const outcome =
      parsed.type === 'view_submission' ? await this.interactions.submit(parsed.view) : await this.interactions.take(parsed.clicks);
    switch (outcome.kind) {
      case 'taken':
        return undefined;
      case 'invalid':
        throw new Refusal(400, { error: 'invalid interaction', message: outcome.message });
      case 'answered':
      case 'not-taken':
        return outcome.answer;
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
  }
}
