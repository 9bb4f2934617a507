import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';
import { DEFAULT_DEPLOYER_OPTIONS, DeployerOptions } from './deployer.options';
import { DeploymentsModule } from './deployments/deployments.module';

/** Wiring only: the deployer's features are imported here. */
@Module({})
export class DeployerModule {
  /** `overrides` lets tests poll faster and retry sooner; production uses the defaults. */
  static register(config: AppConfig, overrides: Partial<DeployerOptions> = {}): DynamicModule {
    const options = { ...DEFAULT_DEPLOYER_OPTIONS, ...overrides };
    return {
      module: DeployerModule,
      imports: [PlatformModule.forRoot(config), DeploymentsModule.forRoot(options)],
    };
  }
}
