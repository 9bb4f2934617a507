import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { headerValue } from '../http/header-value';
import { Refusal } from '../http/refusal';
import { bodyBytes } from '../http/request-body';
import { describeSignatureRefusal, verifySlackSignature } from './slack-signature';

/**
 * Lets only requests signed by Slack through (v0 HMAC over the exact bytes received, at
 * most five minutes old): 401 otherwise, before the body is read as a payload. A gateway in
 * Socket Mode without a signing secret takes no Slack request over HTTP: 404 with the reason.
 */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  private readonly secret: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    // The environment's check requires one of the two; this guards against wiring that skipped it.
    if (!config.env.SLACK_SIGNING_SECRET && !config.env.SLACK_APP_TOKEN) throw new Error('SLACK_SIGNING_SECRET is required by the gateway');
    this.secret = config.env.SLACK_SIGNING_SECRET;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.secret === undefined) {
      throw new Refusal(404, {
        error: 'not found',
        message: 'Slack requests come over Socket Mode here (SLACK_APP_TOKEN); set SLACK_SIGNING_SECRET to take them over HTTP too',
      });
    }
    const { headers, body } = context.switchToHttp().getRequest<FastifyRequest>();
    const signed = {
      timestamp: headerValue(headers['x-slack-request-timestamp']),
      signature: headerValue(headers['x-slack-signature']),
      rawBody: bodyBytes(body),
    };
    const check = verifySlackSignature(this.secret, signed, Math.floor(this.clock.nowMs() / 1000));
    if (!check.ok) throw new Refusal(401, { error: 'unauthorized', message: describeSignatureRefusal(check.reason) });
    return true;
  }
}
