import 'reflect-metadata';
import { runService } from '@app/platform';
import { NotifierModule } from './notifier.module';

void runService({
  service: 'notifier',
  module: (config) => NotifierModule.register(config),
  consumers: [{ stream: 'EVENTS' }],
  concurrency: 64,
});
