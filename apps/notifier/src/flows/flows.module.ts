import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { HomeModule } from '../home/home.module';
import { LedgerModule } from '../ledger/ledger.module';
import { MESSAGE_LEDGER, type MessageLedger } from '../ledger/message-ledger.port';
import { SLACK_MESSENGER, type SlackMessenger } from '../slack/slack-messenger.port';
import { SlackReachability } from '../slack/slack-reachability';
import { SLACK_SETTINGS, type SlackSettings } from '../slack/slack-settings';
import { BuildEventsController } from './build-events.controller';
import { EffectRunner } from './effect-runner';
import { NotificationFlows } from './notification.flows';
import { WaitingForSlack } from './waiting-for-slack';

/** The event handlers: domain event → plan → Slack, through the ledger; waiting while Slack is down. */
@Module({
  imports: [LedgerModule, HomeModule],
  controllers: [BuildEventsController],
  providers: [
    {
      provide: EffectRunner,
      inject: [MESSAGE_LEDGER, SLACK_MESSENGER, SlackReachability],
      useFactory: (ledger: MessageLedger, slack: SlackMessenger, reachability: SlackReachability) =>
        new EffectRunner(ledger, slack, reachability),
    },
    {
      provide: NotificationFlows,
      inject: [MESSAGE_LEDGER, EffectRunner],
      useFactory: (ledger: MessageLedger, runner: EffectRunner) => new NotificationFlows(ledger, runner),
    },
    {
      provide: WaitingForSlack,
      inject: [SlackReachability, APP_CONFIG, SLACK_SETTINGS],
      useFactory: (reachability: SlackReachability, config: AppConfig, slack: SlackSettings) =>
        new WaitingForSlack(reachability, config.env.SLACK_OUTAGE_MAX_HOURS * 3_600_000, slack.outage.maxProbeMs),
    },
  ],
})
export class FlowsModule {}
