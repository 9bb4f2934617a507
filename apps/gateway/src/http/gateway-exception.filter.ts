import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { routeOf } from './http-adapter';
import { Refusal, RefusalBody } from './refusal';

/**
 * Every error answer of the gateway, on every route, is JSON of one shape,
 * `{ error, message?, problems? }`: refusals as they were made, Nest's and Fastify's HTTP
 * errors (404, 413, a malformed request; Nest hands Fastify's over as HttpExceptions) translated, anything else a logged 500 that
 * reveals nothing. A refusal is logged here, once: one `request refused` line with the
 * route, the status and what the caller was told (and, for a 503, why).
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent) return;
    const request = http.getRequest<FastifyRequest>();
    const { status, body, headers } = errorAnswer(exception, this.options.bodyLimitBytes);
    this.log(routeOf(request), exception, status, body);
    void reply.status(status).headers(headers).send(body);
  }

  private log(route: string, exception: unknown, status: number, body: RefusalBody): void {
    if (status >= 500 && !(exception instanceof Refusal)) {
      const msg = exception instanceof HttpException ? 'request failed' : 'unexpected error while answering a request';
      return this.logger.error({ msg, route, err: exception });
    }
    if (exception instanceof NotFoundException && route === 'unmatched') return; // a path no route serves: the access log has it
    const reason = exception instanceof Refusal && exception.cause instanceof Error ? exception.cause.message : undefined;
    this.logger.warn({ msg: 'request refused', route, status, ...body, ...(reason ? { reason } : {}) });
  }
}

/** The answer to an error: a Refusal as it was made, an HTTP error translated, anything else a 500 that reveals nothing. */
export function errorAnswer(
  exception: unknown,
  bodyLimitBytes: number,
): { status: number; body: RefusalBody; headers: Record<string, string> } {
  if (exception instanceof Refusal) return { status: exception.getStatus(), body: exception.body, headers: exception.headers };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Fastify's own 413 (FST_ERR_CTP_BODY_TOO_LARGE, which Nest hands over as an HttpException) says what the limit is, as the gateway's does.
    if (status === 413) return errorAnswer(Refusal.tooLarge(bodyLimitBytes), bodyLimitBytes);
    return { status, body: { error: errorName(status), message: messageOf(exception) }, headers: {} };
  }
  return { status: 500, body: { error: 'internal error' }, headers: {} };
}

const errorName = (status: number): string => (STATUS_CODES[status] ?? 'error').toLowerCase();

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}
