import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { destination } from 'pino';

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
        level,
        base: { service },
        messageKey: 'msg',
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        redact: {
          paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-slack-signature"]', '*.token', '*.password', '*.secret'],
          censor: '[redacted]',
        },
        // Health probes every few seconds would drown everything else.
        autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes((req.url ?? '').split('?')[0]) },
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
