import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetBuildQuery, ListProjectBuildsQuery, Subjects } from '@app/contracts';
import type { BuildView, QueryReply } from '@app/contracts';
import { APP_CONFIG, describeIssues } from '@app/platform';
import type { AppConfig } from '@app/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { EVENT_LOG } from '../database/event-log.provider';
import { buildOfRequest } from '../commands/command-tables';
import { toView } from './build-view.projection';
import { findBuildRow, listProjectBuildRows } from './builds.table';

/** Answers the read-model queries over NATS request/reply (gateway → approvals). */
@Controller()
export class BuildQueriesController {
  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `{id}` is a build id or the CI request id that created (or retried) it. */
  @MessagePattern<string>(Subjects.GetBuild)
  async getBuild(@Payload() data: unknown): Promise<QueryReply<BuildView>> {
    const query = GetBuildQuery.safeParse(data);
    if (!query.success) return invalid(query.error);
    const id = query.data.id;
    const row = (await findBuildRow(this.db, id)) ?? (await this.byRequest(id));
    return row ? { ok: true, data: toView(row) } : { ok: false, status: 404, message: `no build or request with id "${id}"` };
  }

  /** Builds of a project, newest first. */
  @MessagePattern<string>(Subjects.ListProjectBuilds)
  async listProjectBuilds(@Payload() data: unknown): Promise<QueryReply<BuildView[]>> {
    const query = ListProjectBuildsQuery.safeParse(data);
    if (!query.success) return invalid(query.error);
    const { project, limit } = query.data;
    if (!this.config.projects.get(project)) return { ok: false, status: 404, message: `project "${project}" is not in the projects file` };
    return { ok: true, data: (await listProjectBuildRows(this.db, project, limit)).map(toView) };
  }

  private async byRequest(requestId: string) {
    const buildId = await buildOfRequest(this.db, requestId);
    return buildId ? findBuildRow(this.db, buildId) : undefined;
  }
}

const invalid = (error: z.ZodError): QueryReply<never> => ({
  ok: false,
  status: 400,
  message: describeIssues(error, '(query)').join('; '),
});
