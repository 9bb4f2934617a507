import 'reflect-metadata';
import { runService } from '@app/platform';
import { GatewayModule } from './gateway.module';

void runService({
  service: 'gateway',
  module: (config) => GatewayModule.register(config),

});
