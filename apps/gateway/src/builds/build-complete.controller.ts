import { Controller, HttpCode, Inject, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BuildCompletedSchema, Subjects } from '@app/contracts';
import { APP_CONFIG, recordedByDomainLog } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { CiTokenGuard } from '../http/ci-token.guard';
import { Problem, Refusal } from '../http/refusal';
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

const ACCEPTED_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

/**
 * `POST /build-complete`: CI reports a built image (DESIGN §1, §7). Answers 202 only
 * once JetStream stored the BuildCompleted input, so a 2xx means nothing can be lost.
 */
@Controller()
@UseGuards(CiTokenGuard)
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
  async buildComplete(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<BuildAccepted> {
    const body = this.fieldsOf(request);
    const idempotencyKey = headerValue(request.headers['idempotency-key']);
    const keyProblem = idempotencyKey === undefined ? undefined : idempotencyKeyProblem(idempotencyKey);
    const check = checkBuildRequest(body, this.config.projects.ids());
    if (!check.ok || keyProblem) {
      const problems = [...(check.ok ? [] : check.problems), ...(keyProblem ? [keyProblem] : [])];
      throw !check.ok && check.status === 404 && !keyProblem ? new Refusal(404, { error: 'unknown project', problems }) : Refusal.invalid(problems);
    }

    const requestId = requestIdOf(check.request, idempotencyKey);
    const envelope = BuildCompletedSchema.parse(buildCompletedEnvelope(check.request, requestId, new Date(this.clock.nowMs())));
    try {
      await this.publisher.publish('ci', Subjects.BuildCompleted, envelope, this.options.ciPublishTimeoutMs);
    } catch (error) {
      this.logger.warn({ msg: 'could not publish BuildCompleted; answering 503', requestId, project: check.request.project, reason: (error as Error).message });
      throw Refusal.unavailable('deploybot could not record the build right now (NATS did not acknowledge it); retry later', this.options.retryAfterSeconds);
    }
    this.logger.log({ msg: 'build accepted', requestId, correlationId: requestId, ...check.request });
    recordedByDomainLog(response);
    const link = `/v1/builds/${requestId}`;
    response.setHeader('Location', link);
    return { id: requestId, status: 'accepted', links: { build: link } };
  }

  /** Form and JSON bodies arrive decoded by Nest's body parsers; anything else is refused. */
  private fieldsOf(request: Request): Record<string, unknown> {
    // is() answers false for a body of another type, null for no body at all.
    if (request.is(ACCEPTED_TYPES) === false) {
      throw new Refusal(415, { error: 'unsupported media type', message: `send ${ACCEPTED_TYPES.join(' or ')}` });
    }
    const body: unknown = request.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      const problem: Problem = { field: 'body', message: 'expected an object with project, image, type and target' };
      throw Refusal.invalid([problem]);
    }
    return body as Record<string, unknown>;
  }
}

/** Node joins repeated headers with ", "; an array only appears for a few (set-cookie). */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
