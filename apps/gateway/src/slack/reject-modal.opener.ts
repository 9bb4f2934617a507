import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OpenRejectModalReply, type OpenRejectModalRequest, Subjects } from '@app/contracts';
import { JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import { withDeadline } from '../http/with-deadline';

/**
 * Asks the notifier — the only service that calls Slack's Web API — to open the reject modal for a
 * click (core NATS request/reply on Subjects.OpenRejectModal). Slack takes `views.open` only within
 * 3 s of the click, and the click must be answered within the same 3 s, so this waits at most
 * `deadlineMs`; never throws: anything but the notifier's "opened" is a reason, and the caller
 * rejects without one.
 */
@Injectable()
export class RejectModalOpener {
  private readonly logger = new Logger('SlackInteractions');

  constructor(@Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient) {}

  async open(request: OpenRejectModalRequest, deadlineMs: number): Promise<{ opened: true } | { opened: false; why: string }> {
    try {
      const reply = await withDeadline(
        this.client.request<OpenRejectModalReply>(Subjects.OpenRejectModal, request, deadlineMs),
        deadlineMs + 100,
        'open the reject modal',
      );
      if (reply?.ok === true) return { opened: true };
      return { opened: false, why: typeof reply?.message === 'string' ? reply.message : 'the notifier answered something else' };
    } catch (error) {
      this.logger.warn({ msg: 'the notifier did not open the reject modal in time', reason: (error as Error).message });
      return { opened: false, why: (error as Error).message };
    }
  }
}
