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
    const { status, body, headers } = this.answer(exception);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private answer(exception: unknown): { status: number; body: RefusalBody; headers: Record<string, string> } {
    if (exception instanceof Refusal) return { status: exception.getStatus(), body: exception.body, headers: exception.headers };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const error = (STATUS_CODES[status] ?? 'error').toLowerCase();
      if (status >= 500) this.logger.error({ msg: 'request failed', err: exception });
      return { status, body: { error, message: messageOf(exception) }, headers: {} };
    }
    this.logger.error({ msg: 'unexpected error while answering a request', err: exception });
    return { status: 500, body: { error: 'internal error' }, headers: {} };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}
