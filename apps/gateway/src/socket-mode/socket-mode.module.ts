import { Module } from '@nestjs/common';
import { SlackModule } from '../slack/slack.module';
import { SlackEventsModule } from '../slack-events/slack-events.module';
import { SlashCommandsModule } from '../slash-commands/slash-commands.module';
import { SlackSocket } from './slack-socket.adapter';
import { SocketEnvelopes } from './socket-envelopes.service';

/** Socket Mode (SLACK_APP_TOKEN): the Slack requests of the HTTP routes, over the connection the gateway opens. */
@Module({
  imports: [SlackModule, SlashCommandsModule, SlackEventsModule],
  providers: [SocketEnvelopes, SlackSocket],
  exports: [SlackSocket],
})
export class SocketModeModule {}
