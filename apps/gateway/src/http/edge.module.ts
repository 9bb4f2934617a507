import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CLOCK, systemClock } from '../clock';
import { DEFAULT_GATEWAY_OPTIONS, GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { HttpMetricsMiddleware } from '../http-metrics/http-metrics.middleware';
import { InputPublisher } from '../messaging/input-publisher';
import { InputStreamSetup } from '../messaging/input-stream.setup';
import { BodyLimitMiddleware } from './body-limit.middleware';
import { CiToken } from './ci-token';
import { CiTokenGuard } from './ci-token.guard';
import { DirectRoutes } from './direct-routes';
import { GatewayExceptionFilter } from './gateway-exception.filter';

/**
 * What every gateway feature stands on: the clock, the limits, publishing inputs,
 * CI authentication, the webhooks' direct routes, and for the Nest routes one JSON
 * shape for errors, the body limit and HTTP metrics.
 */
@Global()
@Module({})
export class EdgeModule implements NestModule {
  static forRoot(options: Partial<GatewayOptions> = {}): DynamicModule {
    return {
      module: EdgeModule,
      providers: [
        { provide: CLOCK, useValue: systemClock },
        { provide: GATEWAY_OPTIONS, useValue: { ...DEFAULT_GATEWAY_OPTIONS, ...options } },
        { provide: APP_FILTER, useClass: GatewayExceptionFilter },
        InputPublisher,
        InputStreamSetup,
        CiToken,
        CiTokenGuard,
        DirectRoutes,
      ],
      exports: [CLOCK, GATEWAY_OPTIONS, InputPublisher, InputStreamSetup, CiToken, CiTokenGuard, DirectRoutes],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const everything = { path: '{*splat}', method: RequestMethod.ALL };
    consumer.apply(HttpMetricsMiddleware, BodyLimitMiddleware).forRoutes(everything);
  }
}
