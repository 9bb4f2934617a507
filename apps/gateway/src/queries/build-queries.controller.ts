import { Controller, Get, Inject, Logger, Param, Query, UseGuards } from '@nestjs/common';
import { BuildView, GetBuildQuery, ListProjectBuildsQuery, ProductionHistoryQuery, ReleaseView, Subjects } from '@app/contracts';
import { APP_CONFIG, JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { CiTokenGuard } from '../http/ci-token.guard';
import { quote } from '../http/quote';
import { Refusal, RefusalBody } from '../http/refusal';
import { withDeadline } from '../http/with-deadline';
import { answerOf } from './query-answer';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** Releases: approvals answers at most 100 per query. */
const MAX_RELEASES = 100;

/**
 * Build status for CI and people: `GET /v1/builds/:id` (a build id, or the request id a
 * 202 returned), `GET /v1/projects/:project/builds` and `GET /v1/projects/:project/releases`
 * (the production history, newest first). Answered by approvals over NATS
 * request/reply; the gateway keeps nothing itself.
 */
@Controller('v1')
@UseGuards(CiTokenGuard)
export class BuildQueriesController {
  private readonly logger = new Logger('BuildQueries');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient,
  ) {}

  @Get('builds/:id')
  async build(@Param('id') id: string): Promise<BuildView> {
    const query = GetBuildQuery.safeParse({ id });
    if (!query.success) throw Refusal.invalid([{ field: 'id', message: 'expected a build id of 1 to 200 characters' }]);
    return this.ask<BuildView>(Subjects.GetBuild, query.data);
  }

  @Get('projects/:project/builds')
  async projectBuilds(
    @Param('project') project: string,
    @Query('limit') limit: unknown,
  ): Promise<{ project: string; builds: BuildView[] }> {
    this.requireProject(project);
    const query: ListProjectBuildsQuery = { project, limit: parseLimit(limit) };
    return { project, builds: await this.ask<BuildView[]>(Subjects.ListProjectBuilds, query) };
  }

  /** The project's production releases, newest first (release number, build, image, digest, who, when, rollbackOf). */
  @Get('projects/:project/releases')
  async projectReleases(
    @Param('project') project: string,
    @Query('limit') limit: unknown,
  ): Promise<{ project: string; releases: ReleaseView[] }> {
    this.requireProject(project);
    const query: ProductionHistoryQuery = { project, limit: parseLimit(limit, 20, MAX_RELEASES) };
    return { project, releases: await this.ask<ReleaseView[]>(Subjects.ProductionHistory, query) };
  }

  private requireProject(project: string): void {
    if (this.config.projects.get(project)) return;
    throw new Refusal(404, {
      error: 'unknown project',
      problems: [{ field: 'project', message: `${quote(project)} is not a configured project` }],
    });
  }

  private async ask<T>(subject: string, query: object): Promise<T> {
    let reply: unknown;
    try {
      reply = await withDeadline(
        this.client.request<unknown>(subject, query, this.options.queryTimeoutMs),
        this.options.queryTimeoutMs + 500,
        `query ${subject}`,
      );
    } catch (error) {
      this.logger.warn({ msg: 'approvals did not answer a query', subject, reason: (error as Error).message });
      throw Refusal.unavailable(
        'build status is not available right now (approvals did not answer); retry later',
        this.options.retryAfterSeconds,
      );
    }
    const answer = answerOf<T>(reply);
    if (answer.status === 200) return answer.body as T;
    throw new Refusal(answer.status, answer.body as RefusalBody);
  }
}

function parseLimit(limit: unknown, byDefault = DEFAULT_LIMIT, max = MAX_LIMIT): number {
  if (limit === undefined) return byDefault;
  if (typeof limit === 'string' && /^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= max) return Number(limit);
  throw Refusal.invalid([{ field: 'limit', message: `expected a whole number from 1 to ${max}` }]);
}
