import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { constantTimeEquals } from './constant-time';
import { Refusal } from './refusal';

/**
 * CI's shared secret: `Authorization: Bearer <CI_WEBHOOK_TOKEN>`, compared in constant
 * time (docs/architecture.md §6). Checked through CiTokenGuard on the webhook and the status queries.
 */
@Injectable()
export class CiToken {
  private readonly expected: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.env.CI_WEBHOOK_TOKEN) throw new Error('CI_WEBHOOK_TOKEN is required by the gateway');
    this.expected = config.env.CI_WEBHOOK_TOKEN;
  }

  /** Throws the 401 Refusal unless the Authorization header carries the token. */
  verify(authorization: string | undefined): void {
    const match = /^Bearer ([^\s]+)\s*$/i.exec(authorization ?? '');
    if (match && constantTimeEquals(match[1], this.expected)) return;
    throw new Refusal(
      401,
      { error: 'unauthorized', message: 'missing or wrong CI token (send Authorization: Bearer <CI_WEBHOOK_TOKEN>)' },
      { 'WWW-Authenticate': 'Bearer realm="deploybot"' },
    );
  }
}
