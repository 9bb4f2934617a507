import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@app/platform';
import { DEFAULT_DEPLOYER_OPTIONS, DeployerOptions, newInstanceId } from './deployer.options';
import { DeploymentsModule } from './deployments/deployments.module';
import { loadKubeConfig } from './kubernetes/kube-config';

/** Wiring only: the deployer's features are imported here. */
@Module({})
export class DeployerModule {
  /**
   * `overrides` lets tests poll faster and retry sooner; production uses the defaults.
   * The cluster credentials are read here, before Nest starts, so a bad KUBECONFIG is
   * reported as a configuration error.
   */
  static register(config: AppConfig, overrides: Partial<DeployerOptions> = {}): DynamicModule {
    const options: DeployerOptions = { ...DEFAULT_DEPLOYER_OPTIONS, instanceId: newInstanceId(), ...overrides };
    return {
      module: DeployerModule,
      imports: [PlatformModule.forRoot(config), DeploymentsModule.forRoot(options, loadKubeConfig(config.env.KUBECONFIG))],
    };
  }
}
