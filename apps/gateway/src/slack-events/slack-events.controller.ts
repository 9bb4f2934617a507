import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Refusal } from '../http/refusal';
import { bodyBytes } from '../http/request-body';
import { SlackSignatureGuard } from '../slack/slack-signature.guard';
import { type SlackEventAnswer, SlackEvents } from './slack-events.service';

/**
 * `POST /slack/events`: Slack's Events API over HTTP (the app manifest's `event_subscriptions`).
 * Only requests signed by Slack get past SlackSignatureGuard (401). Answers `url_verification`
 * with its challenge and acks every event at once (200, empty) — unknown ones too, which Slack
 * would only retry; what an event means is SlackEvents' (Socket Mode hands it the same events).
 */
@Controller()
export class SlackEventsController {
  constructor(private readonly events: SlackEvents) {}

  @Post('slack/events')
  @HttpCode(200)
  @UseGuards(SlackSignatureGuard)
  event(@Body() body: unknown): SlackEventAnswer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bodyBytes(body).toString('utf8'));
    } catch {
      throw new Refusal(400, { error: 'invalid event', message: 'the body must be the JSON Slack sends to an Events API request URL' });
    }
    return this.events.take(parsed);
  }
}
