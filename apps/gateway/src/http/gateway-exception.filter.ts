import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Refusal, RefusalBody } from './refusal';

/**
 * Every error answer of the gateway is JSON of one shape, `{ error, message?, problems? }`:
 * refusals as they were made, Nest's and the body parser's HTTP errors (413, 415, bad JSON)
 * translated, anything else a logged 500 that reveals nothing.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const { status, body, headers } = errorAnswer(exception);
    if (status >= 500) {
      const msg = exception instanceof HttpException ? 'request failed' : 'unexpected error while answering a request';
      this.logger.error({ msg, err: exception });
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }
}

/** The answer to an error: a Refusal as it was made, an HTTP error translated, anything else a 500 that reveals nothing. */
export function errorAnswer(exception: unknown): { status: number; body: RefusalBody; headers: Record<string, string> } {
  if (exception instanceof Refusal) return { status: exception.getStatus(), body: exception.body, headers: exception.headers };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, body: { error: (STATUS_CODES[status] ?? 'error').toLowerCase(), message: messageOf(exception) }, headers: {} };
  }
  return { status: 500, body: { error: 'internal error' }, headers: {} };
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}
