import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';
import { FlowsModule } from './flows/flows.module';
import { LedgerModule } from './ledger/ledger.module';
import { ModalsModule } from './modals/modals.module';
import { SlackModule, type SlackTuning } from './slack/slack.module';

/** What a test (or a deployment with special needs) may tune; production uses the defaults. */
export interface NotifierOptions {
  slack?: SlackTuning;
}

/** Wiring only: the notifier's features are imported here. */
@Module({})
export class NotifierModule {
  static register(config: AppConfig, options: NotifierOptions = {}): DynamicModule {
    const slack = SlackModule.forRoot(options.slack);
    return {
      module: NotifierModule,
      imports: [PlatformModule.forRoot(config), { ...slack, global: true }, LedgerModule, FlowsModule, ModalsModule],
    };
  }
}
