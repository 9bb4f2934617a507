// First, before anything else loads: restarts the process with the memory settings if it lacks them.
import '@app/platform/bootstrap/apply-lean-runtime-settings';
import 'reflect-metadata';
import { runService } from '@app/platform';
import { DeployerModule } from './deployer.module';

void runService({
  service: 'deployer',
  module: (config) => DeployerModule.register(config),
  consumers: [{ stream: 'EVENTS' }],
  concurrency: 64,
});
