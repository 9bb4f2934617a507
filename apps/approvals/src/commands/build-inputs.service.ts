import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Actor, BuildCompleted, BuildEvent, CloseRequested, DeploymentFailed, DeploymentSucceeded, PreviewTornDown, PromoteRequested, QaVerdict } from '@app/contracts';
import { APP_CONFIG, PermanentError } from '@app/platform';
import type { AppConfig } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { BuildCommand, ProjectPolicy } from '../builds/build.commands';
import { decide } from '../builds/build.decider';
import { denial, Requester } from '../builds/build.denial';
import { fold } from '../builds/build.evolve';
import { BuildRefusal } from '../builds/build.refusals';
import { Build } from '../builds/build.state';
import { previewUrl } from '@app/contracts';
import { findOpenBuildRow } from '../projections/builds.table';
import { buildStreamId, deniedStreamId } from './build-streams';
import { buildOfRequest, productionLockHolder } from './command-tables';
import { CommandPath, Handled, Plan, StreamWrite } from './command-path';
import { stamp } from './envelopes';
import { COMMAND_PATH } from './command-path.provider';

type PersonInput = QaVerdict | PromoteRequested | CloseRequested;
type OutcomeInput = DeploymentSucceeded | DeploymentFailed | PreviewTornDown;

/**
 * Turns each input into a plan for the command path: loads the build, asks the decider,
 * and stamps the resulting events. Refusals become `ActionDenied` events.
 */
@Injectable()
export class BuildInputsService {
  private readonly logger = new Logger('BuildInputs');

  constructor(
    @Inject(COMMAND_PATH) private readonly path: CommandPath,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A CI build: same image as the open build of its target → nothing; else register (and supersede). */
  async buildCompleted(input: BuildCompleted, newBuildId: string = randomUUID()): Promise<Handled> {
    const { requestId, project: projectId, image, type, target } = input.data;
    const project = this.config.projects.get(projectId);
    if (!project) throw new PermanentError(`project "${projectId}" is not in the projects file (known: ${this.config.projects.ids().join(', ')})`);
    const policy = policyOf(project);

    return this.path.execute(
      input,
      async (em) => {
        const known = await buildOfRequest(em, requestId);
        if (known) return { writes: [], note: `request ${requestId} is build ${known} already` };
        const open = await findOpenBuildRow(em, project.id, type, target);
        if (open?.image === image) {
          return { writes: [], requests: [{ requestId, buildId: open.id }], note: `same image as open build ${open.id}` };
        }
        const now = new Date().toISOString();
        const actor: Actor = input.actor ?? { kind: 'ci' };
        const command: BuildCommand = {
          type: 'RegisterBuild',
          buildId: newBuildId,
          requestId,
          policy,
          buildType: type,
          target,
          image,
          previewUrl: previewUrl(project.url, type, target),
          productionUrl: new URL(project.url).origin,
        };
        const writes: StreamWrite[] = [
          { streamId: buildStreamId(newBuildId), expectedVersion: 0, events: this.stamped(decide(command, { status: 'Unknown' }), newBuildId, 0, input.id, actor, now) },
        ];
        if (open) writes.unshift(await this.supersede(em, open.id, newBuildId, image, input.id, actor, now));
        return { writes, requests: [{ requestId, buildId: newBuildId }], note: open ? `build ${newBuildId} supersedes ${open.id}` : `build ${newBuildId}` };
      },
      // Builds of one target are decided one at a time, so two CI calls cannot both open a build.
      { serializeOn: `approvals.target:${project.id}/${type}/${target}` },
    );
  }

  qaVerdict(input: QaVerdict): Promise<Handled> {
    const { buildId, user, verdict } = input.data;
    return this.person(input, (policy) => ({ type: 'GiveVerdict', policy, user, verdict }));
  }

  promoteRequested(input: PromoteRequested): Promise<Handled> {
    return this.person(input, (policy, busyWith) => ({ type: 'PromoteBuild', policy, user: input.data.user, productionBusyWith: busyWith }));
  }

  closeRequested(input: CloseRequested): Promise<Handled> {
    return this.person(input, (policy) => ({ type: 'CloseBuild', policy, user: input.data.user }));
  }

  deploymentSucceeded(input: DeploymentSucceeded): Promise<Handled> {
    const { requestId, environment, url } = input.data;
    return this.outcome(input, { type: 'RecordDeploymentSucceeded', requestId, environment, url });
  }

  deploymentFailed(input: DeploymentFailed): Promise<Handled> {
    const { requestId, environment, reason } = input.data;
    return this.outcome(input, { type: 'RecordDeploymentFailed', requestId, environment, reason });
  }

  previewTornDown(input: PreviewTornDown): Promise<Handled> {
    return this.outcome(input, { type: 'RecordPreviewTornDown', requestId: input.data.requestId, deleted: input.data.deleted });
  }

  private person(input: PersonInput, command: (policy: ProjectPolicy, productionBusyWith?: string) => BuildCommand): Promise<Handled> {
    const { buildId, user, origin } = input.data;
    return this.path.execute(input, async (em): Promise<Plan> => {
      const { state, version } = await this.load(em, buildId);
      const now = new Date().toISOString();
      const actor: Actor = input.actor ?? { kind: 'slack-user', id: user };
      const project = state.status === 'Unknown' ? undefined : state.build.project;
      const policy = project ? this.policyFor(project) : UNKNOWN_POLICY;
      const busyWith = project && input.type === 'PromoteRequested' ? await productionLockHolder(em, project) : undefined;
      const requester: Requester = { user, origin, ...(project ? { buildId, project } : {}) };
      try {
        const drafts = decide(command(policy, busyWith), state);
        const events = this.stamped(drafts, buildId, version, input.id, actor, now);
        return { writes: [{ streamId: buildStreamId(buildId), expectedVersion: version, events }], note: drafts.length ? drafts.map((d) => d.type).join(', ') : 'no change' };
      } catch (error) {
        if (!(error instanceof BuildRefusal)) throw error;
        this.logger.log({ msg: 'request refused', buildId, user, action: error.action, reason: error.reason, input: input.id });
        const streamId = project ? buildStreamId(buildId) : deniedStreamId(input.id);
        const correlationId = project ? buildId : input.correlationId;
        const events = stamp([denial(error, requester)], {
          streamId,
          afterVersion: project ? version : 0,
          correlationId,
          causationId: input.id,
          actor,
          occurredAt: now,
          newId: randomUUID,
        });
        return { writes: [{ streamId, expectedVersion: project ? version : 0, events }], note: `denied: ${error.reason}` };
      }
    });
  }

  /** Outcomes that no longer match the build's current attempt are recorded as handled and change nothing. */
  private outcome(input: OutcomeInput, command: BuildCommand): Promise<Handled> {
    const buildId = input.data.buildId;
    return this.path.execute(input, async (em): Promise<Plan> => {
      const { state, version } = await this.load(em, buildId);
      const drafts = decide(command, state);
      if (drafts.length === 0) {
        this.logger.log({ msg: 'outcome ignored: not the current attempt', buildId, requestId: input.data.requestId, status: state.status });
        return { writes: [], note: `ignored: not the current attempt (build is ${state.status})` };
      }
      const actor: Actor = input.actor ?? { kind: 'service', name: 'deployer' };
      const events = this.stamped(drafts, buildId, version, input.id, actor, new Date().toISOString());
      return { writes: [{ streamId: buildStreamId(buildId), expectedVersion: version, events }], note: drafts.map((d) => d.type).join(', ') };
    });
  }

  private async supersede(em: EntityManager, openId: string, newBuildId: string, newImage: string, causationId: string, actor: Actor, now: string): Promise<StreamWrite> {
    const { state, version } = await this.load(em, openId);
    const drafts = decide({ type: 'SupersedeBuild', supersededBy: newBuildId, newImage }, state);
    return { streamId: buildStreamId(openId), expectedVersion: version, events: this.stamped(drafts, openId, version, causationId, actor, now) };
  }

  private async load(em: EntityManager, buildId: string): Promise<{ state: Build; version: number }> {
    const { version, events } = await this.path.store.readStream(em, buildStreamId(buildId));
    return { state: fold(events as unknown as BuildEvent[]), version };
  }

  private stamped(drafts: Parameters<typeof stamp>[0], buildId: string, afterVersion: number, causationId: string, actor: Actor, occurredAt: string): BuildEvent[] {
    return stamp(drafts, { streamId: buildStreamId(buildId), afterVersion, correlationId: buildId, causationId, actor, occurredAt, newId: randomUUID });
  }

  /** The project's current roles; a project removed from the config keeps no one's rights. */
  private policyFor(projectId: string): ProjectPolicy {
    const project = this.config.projects.get(projectId);
    return project ? policyOf(project) : { ...UNKNOWN_POLICY, id: projectId, name: projectId };
  }
}

const policyOf = (p: { id: string; name: string; channel: string; qa: string[]; owners: string[]; approvalsRequired: number }): ProjectPolicy => ({
  id: p.id,
  name: p.name,
  channel: p.channel,
  qa: p.qa,
  owners: p.owners,
  approvalsRequired: p.approvalsRequired,
});

const UNKNOWN_POLICY: ProjectPolicy = { id: '', name: '', channel: '', qa: [], owners: [], approvalsRequired: 0 };
