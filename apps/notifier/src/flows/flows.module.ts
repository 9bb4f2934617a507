import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { MESSAGE_LEDGER, type MessageLedger } from '../ledger/message-ledger.port';
import { SLACK_MESSENGER, type SlackMessenger } from '../slack/slack-messenger.port';
import { BuildEventsController } from './build-events.controller';
import { EffectRunner } from './effect-runner';
import { NotificationFlows } from './notification.flows';

/** The event handlers: domain event → plan → Slack, through the ledger. */
@Module({
  imports: [LedgerModule],
  controllers: [BuildEventsController],
  providers: [
    {
      provide: EffectRunner,
      inject: [MESSAGE_LEDGER, SLACK_MESSENGER],
      useFactory: (ledger: MessageLedger, slack: SlackMessenger) => new EffectRunner(ledger, slack),
    },
    {
      provide: NotificationFlows,
      inject: [MESSAGE_LEDGER, EffectRunner],
      useFactory: (ledger: MessageLedger, runner: EffectRunner) => new NotificationFlows(ledger, runner),
    },
  ],
})
export class FlowsModule {}
