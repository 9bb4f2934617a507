import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { formValue } from '../http/form';
import { bodyBytes } from '../http/request-body';
import { SlackSignatureGuard } from '../slack/slack-signature.guard';

/**
 * Slack's signature, as on every Slack route (401 otherwise), with one exception Slack makes
 * itself: `ssl_check=1`, which it sends unsigned to check the certificate. The controller answers
 * such a request with an empty 200 and reads nothing else from it.
 */
@Injectable()
export class SlashCommandGuard implements CanActivate {
  constructor(private readonly signature: SlackSignatureGuard) {}

  canActivate(context: ExecutionContext): boolean {
    const { body } = context.switchToHttp().getRequest<FastifyRequest>();
    if (formValue(bodyBytes(body).toString('utf8'), 'ssl_check') === '1') return true;
    return this.signature.canActivate(context);
  }
}
