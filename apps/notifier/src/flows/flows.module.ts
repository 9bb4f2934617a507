import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { MessageLedger } from '../ledger/message-ledger';
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
      inject: [MessageLedger, SLACK_MESSENGER],
      useFactory: (ledger: MessageLedger, slack: SlackMessenger) => new EffectRunner(ledger, slack),
    },
    {
      provide: NotificationFlows,
      inject: [MessageLedger, EffectRunner],
      useFactory: (ledger: MessageLedger, runner: EffectRunner) => new NotificationFlows(ledger, runner),
    },
  ],
})
export class FlowsModule {}
