import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every handler error into "Internal server error", which would
 * hide the reason from the dead-letter record and erase `PermanentError`. The JetStream
 * transport decides retries itself, so handler errors reach it unchanged; HTTP errors keep
 * Nest's usual handling. Register it on the application (`app.useGlobalFilters`) before
 * connecting the transport with `inheritAppConfig: true`.
 */
@Catch()
export class RethrowRpcErrorsFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
