import { LoggerService, RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { destination, pino, type DestinationStream, type LoggerOptions } from 'pino';

/** What every log line of a service shares: its name, the message key, ISO time, redaction. */
function lineOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-slack-signature"]', '*.token', '*.password', '*.secret'],
      censor: '[redacted]',
    },
  };
}

/**
 * Structured JSON logs on stdout, one line per event; secrets and credentials are redacted.
 * Lines are written asynchronously: while one write is on its way, the next lines wait in
 * a buffer and go out together in the next write (so a busy gateway does not make one
 * write system call per request); pino flushes the buffer when the process exits.
 */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: [
      {
        ...lineOptions(service, level),
        // Health probes every few seconds would drown everything else. originalUrl: on Fastify, Nest's middleware sees `req.url` as "/".
        autoLogging: {
          ignore: (req) =>
            ['/healthz', '/readyz', '/metrics'].includes(((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0]),
        },
        serializers: {
          req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      destination({ dest: 1, sync: false }),
    ],
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger while the application is being created — until nestjs-pino takes over, and
 * when start-up fails before it does: the same JSON lines (`level`, `time`, `service`, `msg`,
 * `context`, `err`), written synchronously, so the line saying why a service could not start
 * is never lost and a log collector parses it like every other line.
 */
export function startupLogger(service: string, level: string, to: DestinationStream = destination({ dest: 1, sync: true })): LoggerService {
  const logger = pino(lineOptions(service, level), to);
  // Nest calls (message, ...params, context); error() may pass a stack before the context.
  const write =
    (at: Level) =>
    (message: unknown, ...params: unknown[]): void => {
      const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
      if (message instanceof Error) return logger[at]({ context, err: message }, message.message);
      if (typeof message === 'object' && message !== null) return logger[at]({ context, ...message });
      const stack = typeof params[0] === 'string' ? params[0] : undefined;
      logger[at]({ context, ...(stack ? { stack } : {}) }, String(message));
    };
  return {
    log: write('info'),
    error: write('error'),
    warn: write('warn'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('fatal'),
  };
}
