import { Body, Controller, Headers, HttpCode, Inject, Logger, Post, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BranchDeletedSchema, Subjects } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { CiTokenGuard } from '../http/ci-token.guard';
import { Refusal } from '../http/refusal';
import { bodyBytes, decodeFields } from '../http/request-body';
import { InputPublisher } from '../messaging/input-publisher';
import { checkBranchDeletedRequest } from './branch-deleted-request';

/**
 * `POST /branch-deleted`: CI (or the Git host's webhook relay) says a branch is gone, and its
 * preview is torn down (an open build of it ends as expired). Answers 202 once JetStream stored
 * the input; sending it twice is harmless (the second finds the teardown asked for).
 */
@Controller()
export class BranchDeletedController {
  private readonly logger = new Logger('BranchDeleted');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly publisher: InputPublisher,
  ) {}

  @Post('branch-deleted')
  @HttpCode(202)
  @UseGuards(CiTokenGuard)
  async branchDeleted(@Body() body: unknown, @Headers('content-type') contentType: string | undefined): Promise<{ status: 'accepted' }> {
    const check = checkBranchDeletedRequest(decodeFields(contentType, bodyBytes(body)), this.config.projects.ids());
    if (!check.ok)
      throw check.status === 404
        ? new Refusal(404, { error: 'unknown project', problems: check.problems })
        : Refusal.invalid(check.problems);

    const { project, type, target } = check.request;
    const id = randomUUID();
    const envelope = BranchDeletedSchema.parse({
      id,
      type: 'BranchDeleted',
      streamId: `target-${project}/${type}/${target}`,
      version: 0,
      occurredAt: new Date(this.clock.nowMs()).toISOString(),
      correlationId: id,
      causationId: id,
      actor: { kind: 'ci' },
      data: check.request,
    });
    try {
      await this.publisher.publish('ci', Subjects.BranchDeleted, envelope, this.options.ciPublishTimeoutMs);
    } catch (error) {
      const message = 'deploybot could not record the deletion right now (NATS did not acknowledge it); retry later';
      throw Refusal.unavailable(message, this.options.retryAfterSeconds, error);
    }
    this.logger.log({ msg: 'branch deletion accepted', correlationId: id, ...check.request });
    return { status: 'accepted' };
  }
}
