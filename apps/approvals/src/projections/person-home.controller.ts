import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { HOME_MAX_PROJECTS, HOME_MAX_RELEASES, PersonHomeQuery, Subjects } from '@app/contracts';
import type { PersonHomeView, QueryReply } from '@app/contracts';
import { APP_CONFIG, describeIssues } from '@app/platform';
import type { AppConfig } from '@app/platform';
import type { DataSource } from 'typeorm';
import { EVENT_LOG } from '../database/event-log.provider';
import { listOpenBuildRows } from './builds.table';
import { type HomeProjectFacts, personHome } from './person-home';
import { productionHistory } from './production-history.sql';

/** Open builds read per project for a Home: its lists stay short. */
const HOME_OPEN_BUILDS_PER_PROJECT = 10;

/**
 * One person's App Home (notifier → approvals, NATS request/reply, Subjects.PersonHome): the
 * projects file says which projects they are in (at most HOME_MAX_PROJECTS, in the file's order),
 * the read model and the production history say the rest; `personHome` decides.
 */
@Controller()
export class PersonHomeController {
  constructor(
    @Inject(EVENT_LOG) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @MessagePattern<string>(Subjects.PersonHome)
  async personHome(@Payload() data: unknown): Promise<QueryReply<PersonHomeView>> {
    const query = PersonHomeQuery.safeParse(data);
    if (!query.success) return { ok: false, status: 400, message: describeIssues(query.error, '(query)').join('; ') };
    const { user } = query.data;
    const projects = this.config.projects.all.filter((p) => p.qa.includes(user) || p.owners.includes(user)).slice(0, HOME_MAX_PROJECTS);
    const facts: HomeProjectFacts[] = [];
    for (const project of projects) {
      facts.push({
        project: project.id,
        name: project.name,
        roles: project,
        open: await listOpenBuildRows(this.db, project.id, HOME_OPEN_BUILDS_PER_PROJECT),
        releases: await productionHistory(this.db, project.id, HOME_MAX_RELEASES),
      });
    }
    return { ok: true, data: personHome(user, facts) };
  }
}
