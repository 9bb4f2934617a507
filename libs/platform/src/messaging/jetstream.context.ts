import { BaseRpcContext } from '@nestjs/microservices';

type JetStreamContextArgs = [subject: string, deliveryCount: number, streamSequence: number];

/** What a handler may want to know about the message it is handling (`@Ctx()`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  /** The subject relative to the prefix, e.g. `input.qa-verdict`. */
  getSubject(): string {
    return this.args[0];
  }

  /** 1 on the first delivery. */
  getDeliveryCount(): number {
    return this.args[1];
  }

  getStreamSequence(): number {
    return this.args[2];
  }
}

/** A handler error that retrying cannot fix: the message goes to the dead-letter subject at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
