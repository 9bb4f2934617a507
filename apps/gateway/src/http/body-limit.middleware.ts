import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { Refusal } from './refusal';

/**
 * Refuses requests that declare a body above the gateway's limit (64 KiB by default)
 * with 413 on the Nest routes (the queries take no body; Nest's body parsers refuse above
 * 100 KB on their own). The webhooks apply the same limit themselves (DirectRoutes).
 */
@Injectable()
export class BodyLimitMiddleware implements NestMiddleware {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  use(request: Request, _response: Response, next: NextFunction): void {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > this.options.bodyLimitBytes) {
      throw new Refusal(413, { error: 'payload too large', message: `the request body is larger than ${this.options.bodyLimitBytes} bytes` });
    }
    next();
  }
}
