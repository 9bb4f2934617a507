import 'reflect-metadata';
import { runService } from '@app/platform';
import { ApprovalsModule } from './approvals.module';

void runService({
  service: 'approvals',
  module: (config) => ApprovalsModule.register(config),
  consumers: [{ stream: 'INPUTS' }],
  answersQueries: true,
});
