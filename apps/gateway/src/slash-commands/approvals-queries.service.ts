import { Inject, Injectable, Logger } from '@nestjs/common';
import { JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import { withDeadline } from '../http/with-deadline';

/** What a query to approvals came back with: its data, its refusal, or nothing in time. */
export type QueryOutcome<T> = { kind: 'data'; data: T } | { kind: 'refused'; status: number; message: string } | { kind: 'unavailable' };

/**
 * Asks approvals a read-model query over NATS request/reply within a deadline, and never throws:
 * the slash command must be answered within Slack's 3 s whatever approvals does.
 */
@Injectable()
export class ApprovalsQueries {
  private readonly logger = new Logger('SlashCommands');

  constructor(@Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient) {}

  async ask<T>(subject: string, query: object, deadlineMs: number): Promise<QueryOutcome<T>> {
    let reply: unknown;
    try {
      reply = await withDeadline(this.client.request<unknown>(subject, query, deadlineMs), deadlineMs + 100, `query ${subject}`);
    } catch (error) {
      this.logger.warn({ msg: 'approvals did not answer a slash command query', subject, reason: (error as Error).message });
      return { kind: 'unavailable' };
    }
    const r = (typeof reply === 'object' && reply !== null ? reply : {}) as {
      ok?: unknown;
      data?: unknown;
      status?: unknown;
      message?: unknown;
    };
    if (r.ok === true && 'data' in r) return { kind: 'data', data: r.data as T };
    if (r.ok === false && typeof r.status === 'number' && typeof r.message === 'string') {
      return { kind: 'refused', status: r.status, message: r.message };
    }
    this.logger.warn({ msg: 'approvals answered a slash command query with something that is not a query reply', subject });
    return { kind: 'unavailable' };
  }
}
