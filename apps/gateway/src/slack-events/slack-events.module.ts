import { Module } from '@nestjs/common';
import { SlackSignatureGuard } from '../slack/slack-signature.guard';
import { SlackEventsController } from './slack-events.controller';
import { SlackEvents } from './slack-events.service';

/** Slack's Events API: the App Home (`app_home_opened`), over HTTP or Socket Mode. */
@Module({
  controllers: [SlackEventsController],
  providers: [SlackSignatureGuard, SlackEvents],
  exports: [SlackEvents],
})
export class SlackEventsModule {}
