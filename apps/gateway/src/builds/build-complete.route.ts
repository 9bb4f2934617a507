import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BuildCompletedSchema, Subjects } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { CiToken } from '../http/ci-token';
import { DirectAnswer, DirectRequest, DirectRoute, DirectRoutes, headerValue } from '../http/direct-routes';
import { Refusal } from '../http/refusal';
import { decodeFields } from '../http/request-body';
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
 * `POST /build-complete`: CI reports a built image (DESIGN §1, §7). Answers 202 only
 * once JetStream stored the BuildCompleted input, so a 2xx means nothing can be lost.
 */
@Injectable()
export class BuildCompleteRoute implements DirectRoute, OnModuleInit {
  readonly paths = ['/build-complete'];
  private readonly logger = new Logger('BuildComplete');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly token: CiToken,
    private readonly publisher: InputPublisher,
    private readonly routes: DirectRoutes,
  ) {}

  onModuleInit(): void {
    this.routes.register(this);
  }

  async handle({ headers, body }: DirectRequest): Promise<DirectAnswer> {
    this.token.verify(headers.authorization);
    const fields = decodeFields(headers['content-type'], body);
    const idempotencyKey = headerValue(headers['idempotency-key']);
    const keyProblem = idempotencyKey === undefined ? undefined : idempotencyKeyProblem(idempotencyKey);
    const check = checkBuildRequest(fields, this.config.projects.ids());
    if (!check.ok || keyProblem) {
      const problems = [...(check.ok ? [] : check.problems), ...(keyProblem ? [keyProblem] : [])];
      throw !check.ok && check.status === 404 && !keyProblem ? new Refusal(404, { error: 'unknown project', problems }) : Refusal.invalid(problems);
    }

    const requestId = requestIdOf(check.request, idempotencyKey);
    const envelope = BuildCompletedSchema.parse(buildCompletedEnvelope(check.request, requestId, new Date(this.clock.nowMs()), idempotencyKey !== undefined));
    try {
      await this.publisher.publish('ci', Subjects.BuildCompleted, envelope, this.options.ciPublishTimeoutMs);
    } catch (error) {
      const message = 'deploybot could not record the build right now (NATS did not acknowledge it); retry later';
      throw Refusal.unavailable(message, this.options.retryAfterSeconds, error);
    }
    this.logger.log({ msg: 'build accepted', requestId, correlationId: requestId, ...check.request });
    const link = `/v1/builds/${requestId}`;
    const accepted: BuildAccepted = { id: requestId, status: 'accepted', links: { build: link } };
    return { status: 202, body: accepted, headers: { Location: link } };
  }
}
