// First, before anything else loads: restarts the process with the memory settings if it lacks them.
import '@app/platform/bootstrap/apply-runtime-settings';
import 'reflect-metadata';
import { runService } from '@app/platform';
import { ApprovalsModule } from './approvals.module';

void runService({
  service: 'approvals',
  module: (config) => ApprovalsModule.register(config),
  // The deployer's dead-lettered requests end their attempts (deadlines/dead-letters.controller.ts).
  consumers: [{ stream: 'INPUTS' }, { stream: 'DLQ', filterSubject: 'dlq.deployer.>' }],
  answersQueries: true,
});
