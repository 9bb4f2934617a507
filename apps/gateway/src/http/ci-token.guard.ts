import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { constantTimeEquals } from './constant-time';
import { Refusal } from './refusal';

/**
 * CI's shared secret: `Authorization: Bearer <CI_WEBHOOK_TOKEN>`, compared in constant
 * time (DESIGN §5). Guards the webhook and the status queries.
 */
@Injectable()
export class CiTokenGuard implements CanActivate {
  private readonly logger = new Logger('CiTokenGuard');
  private readonly expected: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.env.CI_WEBHOOK_TOKEN) throw new Error('CI_WEBHOOK_TOKEN is required by the gateway');
    this.expected = config.env.CI_WEBHOOK_TOKEN;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const match = /^Bearer ([^\s]+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match && constantTimeEquals(match[1], this.expected)) return true;
    this.logger.warn({ msg: 'refused a request without a valid CI token', route: request.path, hadAuthorization: !!request.headers.authorization });
    throw new Refusal(
      401,
      { error: 'unauthorized', message: 'missing or wrong CI token (send Authorization: Bearer <CI_WEBHOOK_TOKEN>)' },
      { 'WWW-Authenticate': 'Bearer realm="deploybot"' },
    );
  }
}
