import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthController } from './health.controller';
import { loggerParams } from './logging';
import { ReadinessRegistry } from './readiness';

/** Logs, health, readiness and metrics for one service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forService(service: string, level: string): DynamicModule {
    if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics({ labels: { service } });
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(loggerParams(service, level))],
      controllers: [HealthController],
      providers: [ReadinessRegistry],
      exports: [ReadinessRegistry],
    };
  }
}
