import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GatewayMetrics } from './gateway-metrics';

/**
 * Counts every answered request and its latency by route template (`/v1/builds/:id`,
 * never the concrete path, so the label set stays small). A middleware rather than an
 * interceptor, so refusals by guards (401) and by the body limit (413) are counted too.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    response.once('finish', () => {
      GatewayMetrics.recordRequest(routeOf(request), request.method, response.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  }
}

function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
