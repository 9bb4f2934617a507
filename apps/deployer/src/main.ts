import 'reflect-metadata';
import { runService } from '@app/platform';
import { DeployerModule } from './deployer.module';

void runService({
  service: 'deployer',
  module: (config) => DeployerModule.register(config),
  consumers: [{ stream: 'EVENTS' }],
  concurrency: 64,
});
