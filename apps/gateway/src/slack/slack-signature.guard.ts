import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { Refusal } from '../http/refusal';
import { describeSignatureRefusal, verifySlackSignature } from './slack-signature';

type RawRequest = Request & { rawBody?: Buffer };

/**
 * Lets only requests signed by Slack through (DESIGN §5): 401 otherwise, before the body
 * is even read as a payload, so nothing is published for an unsigned request.
 */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  private readonly logger = new Logger('SlackSignature');
  private readonly secret: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    if (!config.env.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required by the gateway');
    this.secret = config.env.SLACK_SIGNING_SECRET;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawRequest>();
    const check = verifySlackSignature(
      this.secret,
      {
        timestamp: single(request.headers['x-slack-request-timestamp']),
        signature: single(request.headers['x-slack-signature']),
        // Only form and JSON bodies are kept raw; any other body cannot match a signature.
        rawBody: request.rawBody ?? Buffer.alloc(0),
      },
      Math.floor(this.clock.nowMs() / 1000),
    );
    if (check.ok) return true;
    const message = describeSignatureRefusal(check.reason);
    this.logger.warn({ msg: 'refused an unsigned or badly signed Slack request', reason: check.reason });
    throw new Refusal(401, { error: 'unauthorized', message });
  }
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);
