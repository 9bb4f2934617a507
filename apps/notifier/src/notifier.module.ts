import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';

/** Wiring only: the notifier's features are imported here. */
@Module({})
export class NotifierModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: NotifierModule,
      imports: [PlatformModule.forRoot(config)],
    };
  }
}
