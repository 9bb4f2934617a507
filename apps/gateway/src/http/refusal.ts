import { HttpException } from '@nestjs/common';

/** One thing wrong with a request: the field (or header) and what was expected. */
export interface Problem {
  field: string;
  message: string;
}

/** The JSON body of every refused request. */
export interface RefusalBody {
  error: string;
  message?: string;
  problems?: Problem[];
}

/**
 * A request the gateway turns away, with the answer the caller gets: status, a JSON
 * body that says what was wrong, and headers such as `Retry-After`. `cause` is for the
 * log line only, never sent.
 */
export class Refusal extends HttpException {
  constructor(
    status: number,
    readonly body: RefusalBody,
    readonly headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(body, status, cause === undefined ? undefined : { cause });
  }

  static invalid(problems: Problem[]): Refusal {
    return new Refusal(400, { error: 'invalid request', problems });
  }

  static unavailable(message: string, retryAfterSeconds: number, cause?: unknown): Refusal {
    return new Refusal(503, { error: 'unavailable', message }, { 'Retry-After': String(retryAfterSeconds) }, cause);
  }
}
