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

  /** 413: the body is larger than the limit (as declared, or counted as it arrived). The connection is closed: the rest of the body is not read. */
  static tooLarge(limitBytes: number): Refusal {
    return new Refusal(
      413,
      { error: 'payload too large', message: `the request body is larger than ${limitBytes} bytes` },
      { Connection: 'close' },
    );
  }

  static unavailable(message: string, retryAfterSeconds: number, cause?: unknown): Refusal {
    return new Refusal(503, { error: 'unavailable', message }, { 'Retry-After': String(retryAfterSeconds) }, cause);
  }
}
