import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CiToken } from './ci-token';

/** Lets only CI (the CI token) through: the webhook and the status queries. Refuses with 401 before the body is looked at. */
@Injectable()
export class CiTokenGuard implements CanActivate {
  constructor(private readonly token: CiToken) {}

  canActivate(context: ExecutionContext): boolean {
    this.token.verify(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    return true;
  }
}
