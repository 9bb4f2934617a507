import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';

/** Wiring only: the approvals's features are imported here. */
@Module({})
export class ApprovalsModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [PlatformModule.forRoot(config)],
    };
  }
}
