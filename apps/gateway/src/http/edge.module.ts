import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CLOCK, systemClock } from '../clock';
import { DEFAULT_GATEWAY_OPTIONS, GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { InputPublisher } from '../messaging/input-publisher';
import { InputStreamSetup } from '../messaging/input-stream.setup';
import { CiToken } from './ci-token';
import { CiTokenGuard } from './ci-token.guard';
import { GatewayExceptionFilter } from './gateway-exception.filter';

/**
 * What every gateway feature stands on: the clock, the limits, publishing inputs, CI
 * authentication, and one JSON shape (and one log line) for every refused request. The
 * body limit and the HTTP metrics belong to the server itself (gatewayHttpAdapter).
 */
@Global()
@Module({})
export class EdgeModule {
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
      ],
      exports: [CLOCK, GATEWAY_OPTIONS, InputPublisher, InputStreamSetup, CiToken, CiTokenGuard],
    };
  }
}
