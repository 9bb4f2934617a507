import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';
import { BuildsModule } from './builds/builds.module';
import { GatewayOptions } from './gateway.options';
import { EdgeModule } from './http/edge.module';
import { QueriesModule } from './queries/queries.module';
import { SlackModule } from './slack/slack.module';
import { SlackEventsModule } from './slack-events/slack-events.module';
import { SlashCommandsModule } from './slash-commands/slash-commands.module';
import { SocketModeModule } from './socket-mode/socket-mode.module';

/** Wiring only: the gateway's features are imported here. */
@Module({})
export class GatewayModule {
  static register(config: AppConfig, options: Partial<GatewayOptions> = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot(config),
        EdgeModule.forRoot(options),
        BuildsModule,
        SlackModule,
        SlackEventsModule,
        SlashCommandsModule,
        SocketModeModule,
        QueriesModule,
      ],
    };
  }
}
