// First, before anything else loads: restarts the process with the memory settings if it lacks them.
import '@app/platform/bootstrap/apply-lean-runtime-settings';
import 'reflect-metadata';
import { runService } from '@app/platform';
import { NotifierModule } from './notifier.module';

void runService({
  service: 'notifier',
  module: (config) => NotifierModule.register(config),
  consumers: [{ stream: 'EVENTS' }],
  concurrency: 64,
});
