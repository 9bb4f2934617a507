import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { CiToken } from './ci-token';

/** Lets only CI (the CI token) through to a Nest route: the status queries. */
@Injectable()
export class CiTokenGuard implements CanActivate {
  private readonly logger = new Logger('CiTokenGuard');

  constructor(private readonly token: CiToken) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    try {
      this.token.verify(request.headers.authorization);
      return true;
    } catch (refusal) {
      this.logger.warn({ msg: 'refused a request without a valid CI token', route: request.path, hadAuthorization: !!request.headers.authorization });
      throw refusal;
    }
  }
}
