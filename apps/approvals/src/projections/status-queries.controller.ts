import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ProductionHistoryQuery, ProjectStatusQuery, Subjects, TargetBuildQuery } from '@app/contracts';
import type { BuildView, ProjectStatusView, QueryReply, ReleaseView } from '@app/contracts';
import { APP_CONFIG, describeIssues } from '@app/platform';
import type { AppConfig } from '@app/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { EVENT_LOG } from '../database/event-log.provider';
import { toView } from './build-view.projection';
import { findNewestBuildRowOfTarget, listOpenBuildRows } from './builds.table';
import { productionHistory } from './production-history.sql';
import { waitingFor } from './waiting-for';

/**
 * The queries behind the `/deploybot` slash command (gateway → approvals, NATS request/reply):
 * a project's status (production and open builds, with who each waits for), the newest build of
 * a target, and the production history. Read-only: promoting and closing go through the inputs.
 */
@Controller()
export class StatusQueriesController {
  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @MessagePattern<string>(Subjects.ProjectStatus)
  async projectStatus(@Payload() data: unknown): Promise<QueryReply<ProjectStatusView[]>> {
    const query = ProjectStatusQuery.safeParse(data);
    if (!query.success) return invalid(query.error);
    const unknown = query.data.projects.find((p) => !this.config.projects.get(p));
    if (unknown !== undefined) return unknownProject(unknown);
    const views: ProjectStatusView[] = [];
    for (const id of query.data.projects) {
      const project = this.config.projects.get(id)!;
      const [production] = await productionHistory(this.db, id, 1);
      const open = await listOpenBuildRows(this.db, id, query.data.limit);
      views.push({
        project: id,
        name: project.name,
        production: production ?? null,
        open: open.map((row) => ({ ...toView(row), waitingFor: waitingFor(row, project) })),
      });
    }
    return { ok: true, data: views };
  }

  @MessagePattern<string>(Subjects.TargetBuild)
  async targetBuild(@Payload() data: unknown): Promise<QueryReply<BuildView>> {
    const query = TargetBuildQuery.safeParse(data);
    if (!query.success) return invalid(query.error);
    const { project, type, target } = query.data;
    if (!this.config.projects.get(project)) return unknownProject(project);
    const row = await findNewestBuildRowOfTarget(this.db, project, type, target);
    return row ? { ok: true, data: toView(row) } : { ok: false, status: 404, message: `${project} has no build of ${type} ${target}` };
  }

  @MessagePattern<string>(Subjects.ProductionHistory)
  async productionHistory(@Payload() data: unknown): Promise<QueryReply<ReleaseView[]>> {
    const query = ProductionHistoryQuery.safeParse(data);
    if (!query.success) return invalid(query.error);
    if (!this.config.projects.get(query.data.project)) return unknownProject(query.data.project);
    return { ok: true, data: await productionHistory(this.db, query.data.project, query.data.limit) };
  }
}

const invalid = (error: z.ZodError): QueryReply<never> => ({
  ok: false,
  status: 400,
  message: describeIssues(error, '(query)').join('; '),
});

const unknownProject = (project: string): QueryReply<never> => ({
  ok: false,
  status: 404,
  message: `project "${project}" is not in the projects file`,
});
