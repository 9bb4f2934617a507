import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { Refusal } from './refusal';

type RawRequest = Request & { rawBody?: Buffer };

/**
 * Refuses bodies above the gateway's limit (64 KiB by default) with 413. Nest's body
 * parsers refuse above 100 KB on their own; this tightens it to what a webhook or a
 * Slack click can reasonably be.
 */
@Injectable()
export class BodyLimitMiddleware implements NestMiddleware {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  use(request: RawRequest, _response: Response, next: NextFunction): void {
    const declared = Number(request.headers['content-length'] ?? 0);
    const size = Math.max(request.rawBody?.length ?? 0, Number.isFinite(declared) ? declared : 0);
    if (size > this.options.bodyLimitBytes) {
      throw new Refusal(413, { error: 'payload too large', message: `the request body is larger than ${this.options.bodyLimitBytes} bytes` });
    }
    next();
  }
}
