import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { GatewayMetrics } from '../http-metrics/gateway-metrics';
import { Refusal } from './refusal';

/** Keeps the bytes as they arrived: the routes decode bodies themselves, and Slack's signature is over these exact bytes. */
const keepBytes = (_request: FastifyRequest, body: Buffer, done: (error: null, body: Buffer) => void): void => done(null, body);

/**
 * The gateway's HTTP server: Nest on Fastify, every route through the same pipeline.
 *
 * - Paths match as Express matched them (and as CI and Slack are configured): any case,
 *   an optional trailing slash, the query string ignored.
 * - Every body, whatever its media type, is read as bytes up to `bodyLimitBytes` (413
 *   beyond, counted as it arrives, so also for chunked bodies) and handed to the route as a
 *   Buffer: nothing is parsed before the route's guard has checked the caller.
 * - Every answered request is counted and timed by route template (`/v1/builds/:id`,
 *   `route="unmatched"` for a request no route took), including refusals by guards and
 *   by the body limit.
 */
export function gatewayHttpAdapter(options: Partial<GatewayOptions> = {}): FastifyAdapter {
  const { bodyLimitBytes } = { ...DEFAULT_GATEWAY_OPTIONS, ...options };
  const adapter = new FastifyAdapter({ bodyLimit: bodyLimitBytes, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
  // '*' also stands for JSON and forms, so Nest adds no parsers of its own; Fastify's built-in JSON and text ones are replaced.
  adapter.useBodyParser(['*', 'application/json', 'text/plain'], false, { bodyLimit: bodyLimitBytes }, keepBytes);
  const server = adapter.getInstance();
  // Fastify checks the declared length only where it reads a body (not on a GET); the limit holds for every request.
  server.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    done(Number(request.headers['content-length']) > bodyLimitBytes ? Refusal.tooLarge(bodyLimitBytes) : undefined);
  });
  server.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    GatewayMetrics.recordRequest(routeOf(request), request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return adapter;
}

/** The route template a request was served by, or `unmatched`. */
export function routeOf(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}
