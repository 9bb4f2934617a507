import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';

/** Wiring only: the deployer's features are imported here. */
@Module({})
export class DeployerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: DeployerModule,
      imports: [PlatformModule.forRoot(config)],
    };
  }
}
