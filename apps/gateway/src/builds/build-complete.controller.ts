import { Body, Controller, Headers, HttpCode, Inject, Logger, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BuildCompletedSchema, Subjects } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { CiTokenGuard } from '../http/ci-token.guard';
import { headerValue } from '../http/header-value';
import { Refusal } from '../http/refusal';
import { bodyBytes, decodeFields } from '../http/request-body';
import { InputPublisher } from '../messaging/input-publisher';
import { buildCompletedEnvelope } from './build-completed.envelope';
import { checkBuildRequest, idempotencyKeyProblem } from './build-request';
import { requestIdOf } from './request-id';

/** The 202 answer: the request id finds the build once approvals registered it. */
export interface BuildAccepted {
  id: string;
  status: 'accepted';
  links: { build: string };
}

/**
 * `POST /build-complete`: CI reports a built image (docs/architecture.md §1, §7). Answers 202 only
 * once JetStream stored the BuildCompleted input, so a 2xx means nothing can be lost.
 */
@Controller()
export class BuildCompleteController {
  private readonly logger = new Logger('BuildComplete');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly publisher: InputPublisher,
  ) {}

  @Post('build-complete')
  @HttpCode(202)
  @UseGuards(CiTokenGuard)
  async buildComplete(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('idempotency-key') idempotencyKeyHeader: string | string[] | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BuildAccepted> {
    const fields = decodeFields(contentType, bodyBytes(body));
    const idempotencyKey = headerValue(idempotencyKeyHeader);
    const keyProblem = idempotencyKey === undefined ? undefined : idempotencyKeyProblem(idempotencyKey);
    const check = checkBuildRequest(fields, this.config.projects.ids());
    if (!check.ok || keyProblem) {
      const problems = [...(check.ok ? [] : check.problems), ...(keyProblem ? [keyProblem] : [])];
      throw !check.ok && check.status === 404 && !keyProblem
        ? new Refusal(404, { error: 'unknown project', problems })
        : Refusal.invalid(problems);
    }

    const requestId = requestIdOf(check.request, idempotencyKey);
    const envelope = BuildCompletedSchema.parse(
      buildCompletedEnvelope(check.request, requestId, new Date(this.clock.nowMs()), idempotencyKey !== undefined),
    );
    try {
      await this.publisher.publish('ci', Subjects.BuildCompleted, envelope, this.options.ciPublishTimeoutMs);
    } catch (error) {
      const message = 'deploybot could not record the build right now (NATS did not acknowledge it); retry later';
      throw Refusal.unavailable(message, this.options.retryAfterSeconds, error);
    }
    this.logger.log({ msg: 'build accepted', requestId, correlationId: requestId, ...check.request });
    const link = `/v1/builds/${requestId}`;
    void reply.header('Location', link);
    return { id: requestId, status: 'accepted', links: { build: link } };
  }
}
