import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type PublishHomeReply, PublishHomeRequest, Subjects } from '@app/contracts';
import { describeIssues } from '@app/platform';
import type { DataSource } from 'typeorm';
import { LEDGER_DATA_SOURCE } from '../ledger/ledger.tokens';
import { recordHomeOpened } from './home-openers.table';
import { HomePublisher } from './home-publisher.service';

/**
 * A person opened deploybot's Home tab (gateway → notifier, core NATS request/reply,
 * Subjects.PublishHome): remember that they did — their Home is republished when a build of theirs
 * changes (HomeRefresher) — and publish it now.
 */
@Controller()
export class HomeController {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly db: DataSource,
    @Inject(HomePublisher) private readonly publisher: HomePublisher,
  ) {}

  @MessagePattern<string>(Subjects.PublishHome)
  async publishHome(@Payload() data: unknown): Promise<PublishHomeReply> {
    const request = PublishHomeRequest.safeParse(data);
    if (!request.success) return { ok: false, message: describeIssues(request.error, '(request)').join('; ') };
    await recordHomeOpened(this.db, request.data.user, new Date());
    return this.publisher.publish(request.data.user, 'opened');
  }
}
