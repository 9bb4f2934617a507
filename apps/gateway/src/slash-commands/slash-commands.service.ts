import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subjects } from '@app/contracts';
import type {
  BuildView,
  ListProjectBuildsQuery,
  ProjectStatusQuery,
  ProjectStatusView,
  ReleaseView,
  TargetBuildQuery,
} from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { ApprovalsQueries, QueryOutcome } from './approvals-queries.service';
import { failedAnswer, helpAnswer, invalidAnswer, refusedAnswer, unavailableAnswer } from './help.blocks';
import { SlashAnswer } from './slash-answer';
import { parseSlashCommand, SlashCommand, TargetRef } from './slash-command';
import { SlashRequest } from './slash-request';
import { buildsAnswer, releasesAnswer, statusAnswer } from './status.blocks';
import { targetActionAnswer } from './target-action.blocks';

/** How many projects one `status` lists, and how many builds or releases a list shows. */
const STATUS_PROJECTS_MAX = 10;
const LIST_LIMIT = 10;

/**
 * What `/deploybot <text>` answers, whatever carried the request to the gateway: reads come from
 * approvals' read model over request/reply; `promote` and `close` answer with a confirm button
 * whose click is the owner DM's click, so they publish nothing themselves. Never throws: every
 * outcome is an ephemeral answer Slack can show.
 */
@Injectable()
export class SlashCommands {
  private readonly logger = new Logger('SlashCommands');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly queries: ApprovalsQueries,
  ) {}

  async answer(request: SlashRequest): Promise<SlashAnswer> {
    const command = parseSlashCommand(request.text, this.config.projects);
    this.logger.log({ msg: 'slash command', user: request.userId, channel: request.channelId, kind: command.kind });
    try {
      return await this.answerCommand(command, request);
    } catch (error) {
      // A 5xx would show the person only that the command failed: they are told, and it is logged.
      this.logger.error({ msg: 'could not answer a slash command', kind: command.kind, err: error });
      return failedAnswer();
    }
  }

  private async answerCommand(command: SlashCommand, request: SlashRequest): Promise<SlashAnswer> {
    switch (command.kind) {
      case 'help':
        return helpAnswer(request.command);
      case 'invalid':
        return invalidAnswer(request.command, command.problem, command.subcommand);
      case 'status':
        return this.status(command.project, request.userId);
      case 'builds': {
        const query: ListProjectBuildsQuery = { project: command.project, limit: LIST_LIMIT };
        return answerWith(await this.ask<BuildView[]>(Subjects.ListProjectBuilds, query), (b) => buildsAnswer(command.project, b));
      }
      case 'releases': {
        const query = { project: command.project, limit: LIST_LIMIT };
        return answerWith(await this.ask<ReleaseView[]>(Subjects.ProductionHistory, query), (r) => releasesAnswer(command.project, r));
      }
      case 'promote':
      case 'close':
        return this.targetAction(command.kind, command);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  }

  /** `status` alone: the projects the person is QA or owner of (every project when none), at most STATUS_PROJECTS_MAX. */
  private async status(project: string | undefined, user: string): Promise<SlashAnswer> {
    const all = this.config.projects.ids();
    const mine = all.filter((id) => {
      const p = this.config.projects.get(id)!;
      return p.owners.includes(user) || p.qa.includes(user);
    });
    const wanted = project ? [project] : mine.length ? mine : all;
    const query: ProjectStatusQuery = { projects: wanted.slice(0, STATUS_PROJECTS_MAX), limit: LIST_LIMIT };
    const outcome = await this.ask<ProjectStatusView[]>(Subjects.ProjectStatus, query);
    return answerWith(outcome, (views) => statusAnswer(views, wanted.slice(STATUS_PROJECTS_MAX)));
  }

  private async targetAction(kind: 'promote' | 'close', ref: TargetRef): Promise<SlashAnswer> {
    const query: TargetBuildQuery = { project: ref.project, type: ref.type, target: ref.target };
    const production = { url: this.config.projects.get(ref.project)!.url };
    return answerWith(await this.ask<BuildView>(Subjects.TargetBuild, query), (build) => targetActionAnswer(kind, build, production));
  }

  private ask<T>(subject: string, query: object): Promise<QueryOutcome<T>> {
    return this.queries.ask<T>(subject, query, this.options.slashCommandTimeoutMs);
  }
}

function answerWith<T>(outcome: QueryOutcome<T>, render: (data: T) => SlashAnswer): SlashAnswer {
  switch (outcome.kind) {
    case 'data':
      return render(outcome.data);
    case 'refused':
      return refusedAnswer(outcome.message);
    case 'unavailable':
      return unavailableAnswer();
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}
