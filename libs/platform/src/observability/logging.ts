import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

const RECORDED = Symbol.for('deploybot.recordedByDomainLog');

/**
 * Marks a response whose request a domain log line already records (the gateway's
 * "click accepted", "build accepted"): if it succeeds, the access-log line is left out,
 * as it would only repeat it. Refusals, errors and aborted requests are still logged.
 */
export function recordedByDomainLog(response: object): void {
  (response as Record<symbol, boolean>)[RECORDED] = true;
}

/** The access-log level of a finished request: silent only for a success that a domain line records. */
export function accessLogLevel(response: { statusCode: number }, error: unknown): 'info' | 'silent' {
  const recorded = (response as unknown as Record<symbol, boolean | undefined>)[RECORDED] === true;
  return recorded && !error && response.statusCode < 400 ? 'silent' : 'info';
}

/** Structured JSON logs, one line per event; secrets and credentials are redacted. */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
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
      // One line per accepted input is enough: the domain line (with the request id) says it.
      customLogLevel: (_req, res, error) => accessLogLevel(res, error),
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  };
}
