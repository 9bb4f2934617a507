// First, before anything else loads: restarts the process with the memory settings if it lacks them.
import '@app/platform/bootstrap/apply-runtime-settings';
import 'reflect-metadata';
import { runService } from '@app/platform';
import { GatewayModule } from './gateway.module';
import { gatewayHttpAdapter } from './http/http-adapter';

void runService({
  service: 'gateway',
  module: (config) => GatewayModule.register(config),
  httpAdapter: () => gatewayHttpAdapter(),
});
