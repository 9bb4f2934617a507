import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { previewUrl } from '@app/contracts';
import type {
  Actor,
  BranchDeleted,
  BuildCompleted,
  BuildEvent,
  CloseRequested,
  DeploymentFailed,
  DeploymentSucceeded,
  EventEnvelope,
  KeepRequested,
  RollbackRequested,
  PreviewTornDown,
  PromoteRequested,
  QaVerdict,
  TimerKind,
} from '@app/contracts';
import { APP_CONFIG, PermanentError } from '@app/platform';
import type { AppConfig, ProjectConfig } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { AttemptKind } from '../builds/attempts';
import { BuildCommand, ProjectPolicy } from '../builds/build.commands';
import { decide, pinned } from '../builds/build.decider';
import { denial } from '../builds/build.denial';
import { BuildEventDraft } from '../builds/build-event-draft';
import { fold } from '../builds/build.evolve';
import { BuildRefusal } from '../builds/build.refusals';
import { Build, hasEnded, initialState, isSupersedable } from '../builds/build.state';
import { upcast } from '../builds/build.upcast';
import { findLatestBuildRowOfTarget, findNewestBuildRowOfTarget } from '../projections/builds.table';
import { productionHistory } from '../projections/production-history.sql';
import { buildStreamId, deniedStreamId } from './build-streams';
import { buildOfKeyedRequest, productionLockHolder } from './command-tables';
import { CommandPath, Handled, Plan, StreamWrite } from './command-path';
import { COMMAND_PATH } from './command-path.provider';
import { stamp } from './envelopes';

type PersonInput = QaVerdict | PromoteRequested | CloseRequested | KeepRequested | RollbackRequested;

/** A timer of a build that is due, and the input that says so. */
export interface TimerDue {
  /** `timer:<timer id>`: the same timer is recorded once. */
  inputId: string;
  buildId: string;
  timerId: string;
  kind: TimerKind;
}

/** Why an attempt ended without the deployer's answer, and the input that says so. */
export interface AttemptExpiry {
  /** `deadline:<attempt>` or `dead-letter:<attempt>`: the same expiry is recorded once. */
  inputId: string;
  buildId: string;
  attemptId: string;
  kind: AttemptKind;
  cause: 'deadline' | 'dead-letter';
  reason: string;
}

/** What one input does to one build: the command, who acted, and how a refusal is answered. */
interface BuildInput {
  input: Pick<EventEnvelope, 'id' | 'type' | 'correlationId'>;
  buildId: string;
  actor: Actor;
  command: (build: KnownFacts) => BuildCommand | Promise<BuildCommand>;
  /** A person's request: a refusal becomes an ActionDenied they are answered with. */
  person?: Pick<PersonInput['data'], 'user' | 'origin'>;
}

/** What the command of an input may depend on: the build's project policy and the transaction. */
interface KnownFacts {
  state: Build;
  policy: ProjectPolicy;
  em: EntityManager;
}

/**
 * Every input takes the one command path: load the build → decide → append (with whatever the
 * decision implies for other streams) in one transaction. Refusals become `ActionDenied` events.
 */
@Injectable()
export class BuildInputsService {
  private readonly logger = new Logger('BuildInputs');

  constructor(
    @Inject(COMMAND_PATH) private readonly path: CommandPath,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A CI build. With an Idempotency-Key seen in the last 24 h: that request's build. Else a
   * request identical to the target's build that has not ended is that build; anything else
   * registers a new build (superseding the open one).
   */
  async buildCompleted(input: BuildCompleted, newBuildId: string = randomUUID()): Promise<Handled> {
    const { requestId, project: projectId, image, type, target, idempotencyKey } = input.data;
    const project = this.config.projects.get(projectId);
    if (!project)
      throw new PermanentError(`project "${projectId}" is not in the projects file (known: ${this.config.projects.ids().join(', ')})`);

    return this.path.execute(
      input,
      async (em) => {
        const keyed = idempotencyKey ? await buildOfKeyedRequest(em, requestId) : undefined;
        if (keyed) return { writes: [], note: `Idempotency-Key request ${requestId} is build ${keyed}` };
        const latest = await findLatestBuildRowOfTarget(em, project.id, type, target);
        const current = latest && (await this.load(em, latest.id));
        if (current && latest.image === image && !hasEnded(current.state.status)) {
          return {
            writes: [],
            requests: [{ requestId, buildId: latest.id }],
            note: `same request as build ${latest.id}, which has not ended`,
          };
        }
        const actor: Actor = input.actor ?? { kind: 'ci' };
        const writes = [this.registration(newBuildId, requestId, project, { type, target, image }, input.id, actor)];
        const replaced = current && isSupersedable(current.state.status) ? latest.id : undefined;
        if (replaced) {
          const command: BuildCommand = { type: 'SupersedeBuild', supersededBy: newBuildId, newImage: image, reason: 'newer-build' };
          writes.unshift(this.write(replaced, current!.version, decide(command, current!.state), input.id, actor));
        }
        return {
          writes,
          requests: [{ requestId, buildId: newBuildId }],
          note: replaced ? `build ${newBuildId} supersedes ${replaced}` : `build ${newBuildId}`,
        };
      },
      // Builds of one target are decided one at a time, so two CI calls cannot both open a build.
      { serializeOn: targetLock(project.id, type, target) },
    );
  }

  qaVerdict(input: QaVerdict): Promise<Handled> {
    const { user, verdict, reason } = input.data;
    return this.onBuild({
      ...this.personInput(input),
      command: ({ policy }) => ({ type: 'GiveVerdict', policy, user, verdict, ...(reason ? { reason } : {}) }),
    });
  }

  promoteRequested(input: PromoteRequested): Promise<Handled> {
    return this.onBuild({
      ...this.personInput(input),
      command: async ({ policy, state, em }) => ({
        type: 'PromoteBuild',
        policy,
        user: input.data.user,
        productionBusyWith: state.status === 'Unknown' ? undefined : await productionLockHolder(em, state.build.project),
        rolloutDeadline: this.rolloutDeadline(),
      }),
    });
  }

  closeRequested(input: CloseRequested): Promise<Handled> {
    return this.onBuild({ ...this.personInput(input), command: ({ policy }) => ({ type: 'CloseBuild', policy, user: input.data.user }) });
  }

  keepRequested(input: KeepRequested): Promise<Handled> {
    return this.onBuild({
      ...this.personInput(input),
      command: ({ policy }) => ({ type: 'KeepPreview', policy, user: input.data.user, now: new Date().toISOString() }),
    });
  }

  /**
   * An owner clicked **Roll back** on the announcement of the build production runs. Decided on the
   * build of the project's previous release, found in the log (the `ProductionDeployed` before the
   * latest); a refusal is answered on the clicked build.
   */
  rollbackRequested(input: RollbackRequested): Promise<Handled> {
    const { input: envelope, actor, person } = this.personInput(input);
    const { buildId: clicked, user } = input.data;
    return this.path.execute(envelope, async (em): Promise<Plan> => {
      const from = await this.load(em, clicked);
      const project = from.state.status === 'Unknown' ? undefined : from.state.build.project;
      const [current, previous] = project ? await productionHistory(em, project, 2) : [];
      const to = previous ? await this.load(em, previous.buildId) : { state: initialState(), version: 0 };
      const command: BuildCommand = {
        type: 'RollBack',
        policy: project ? this.policyFor(project) : UNKNOWN_POLICY,
        user,
        clicked,
        current: current?.buildId,
        previous: previous && { release: previous.release, ...(previous.digest ? { digest: previous.digest } : {}) },
        productionBusyWith: project ? await productionLockHolder(em, project) : undefined,
        rolloutDeadline: this.rolloutDeadline(),
      };
      let drafts: BuildEventDraft[];
      try {
        drafts = decide(command, to.state);
      } catch (error) {
        if (!(error instanceof BuildRefusal)) throw error;
        return this.refusal(error, envelope, clicked, from.state, from.version, actor, person!);
      }
      return {
        writes: [this.write(previous!.buildId, to.version, drafts, input.id, actor)],
        note: `rollback of ${clicked} to ${previous!.buildId} (release ${previous!.release})`,
      };
    });
  }

  /** A timer is due (preview expiry or its reminder, an approval reminder or expiry). */
  timerFired(due: TimerDue): Promise<Handled> {
    const { inputId, buildId, timerId, kind } = due;
    return this.onBuild({
      input: { id: inputId, type: 'TimerDue', correlationId: buildId },
      buildId,
      actor: { kind: 'service', name: 'approvals' },
      command: ({ policy }) => ({ type: 'FireTimer', timerId, kind, policy, now: new Date().toISOString() }),
    });
  }

  /**
   * CI says a branch was deleted: decided against the target's newest build (whose preview is the
   * target's preview), one at a time with the target's CI builds.
   */
  async branchDeleted(input: BranchDeleted): Promise<Handled> {
    const { project, type, target } = input.data;
    if (!this.config.projects.get(project))
      throw new PermanentError(`project "${project}" is not in the projects file (known: ${this.config.projects.ids().join(', ')})`);
    const actor: Actor = input.actor ?? { kind: 'ci' };
    return this.path.execute(
      input,
      async (em): Promise<Plan> => {
        const newest = await findNewestBuildRowOfTarget(em, project, type, target);
        if (!newest) return { writes: [], note: `no build of ${type} ${target}` };
        const { state, version } = await this.load(em, newest.id);
        const drafts = decide({ type: 'RecordBranchDeleted' }, state);
        if (drafts.length === 0) return { writes: [], note: `no change (build ${newest.id} is ${state.status})` };
        return { writes: [this.write(newest.id, version, drafts, input.id, actor)], note: drafts.map((d) => d.type).join(', ') };
      },
      { serializeOn: targetLock(project, type, target) },
    );
  }

  deploymentSucceeded(input: DeploymentSucceeded): Promise<Handled> {
    const { requestId, environment, url, digest, imageId } = input.data;
    return this.onBuild({
      ...this.deployerInput(input),
      command: async ({ policy, state, em }) => ({
        type: 'RecordDeploymentSucceeded',
        requestId,
        environment,
        url,
        digest,
        imageId,
        policy,
        newBuildId: randomUUID(),
        now: new Date().toISOString(),
        ...(environment === 'production' && state.status !== 'Unknown' ? await this.releaseAfter(em, state.build.project) : {}),
      }),
    });
  }

  deploymentFailed(input: DeploymentFailed): Promise<Handled> {
    const { requestId, environment, reason } = input.data;
    return this.onBuild({
      ...this.deployerInput(input),
      command: ({ policy }) => ({ type: 'RecordDeploymentFailed', requestId, environment, reason, policy, now: new Date().toISOString() }),
    });
  }

  previewTornDown(input: PreviewTornDown): Promise<Handled> {
    const { requestId, deleted } = input.data;
    return this.onBuild({ ...this.deployerInput(input), command: () => ({ type: 'RecordPreviewTornDown', requestId, deleted }) });
  }

  /** No outcome for an attempt in time, or its request was dead-lettered. */
  attemptExpired(expiry: AttemptExpiry): Promise<Handled> {
    const { inputId, buildId, attemptId, kind, cause, reason } = expiry;
    return this.onBuild({
      input: { id: inputId, type: cause === 'deadline' ? 'DeadlinePassed' : 'RequestDeadLettered', correlationId: buildId },
      buildId,
      actor: { kind: 'service', name: 'approvals' },
      command: ({ policy }) => ({ type: 'ExpireAttempt', attemptId, kind, cause, reason, policy, now: new Date().toISOString() }),
    });
  }

  /** The one command path of an input about an existing build. */
  private onBuild({ input, buildId, actor, command, person }: BuildInput): Promise<Handled> {
    return this.path.execute(input, async (em): Promise<Plan> => {
      const { state, version } = await this.load(em, buildId);
      const policy = state.status === 'Unknown' ? UNKNOWN_POLICY : this.policyFor(state.build.project);
      let drafts: BuildEventDraft[];
      try {
        drafts = decide(await command({ state, policy, em }), state);
      } catch (error) {
        if (!(error instanceof BuildRefusal) || !person) throw error;
        return this.refusal(error, input, buildId, state, version, actor, person);
      }
      if (drafts.length === 0) return { writes: [], note: `no change (build is ${state.status})` };
      const writes = [this.write(buildId, version, drafts, input.id, actor)];
      const rebuilt = this.digestChange(state, drafts, input.id, actor);
      if (rebuilt) writes.push(rebuilt.write);
      const replaced = await this.replacement(em, drafts, input.id, actor);
      if (replaced) writes.push(replaced);
      return { writes, requests: rebuilt?.requests, note: drafts.map((d) => d.type).join(', ') };
    });
  }

  /**
   * A release that replaces another in production: the replaced build's own stream says it left
   * production (rolled back from, or replaced), in the same transaction as the new release.
   */
  private async replacement(
    em: EntityManager,
    drafts: BuildEventDraft[],
    causationId: string,
    actor: Actor,
  ): Promise<StreamWrite | undefined> {
    const deployed = drafts.find((d) => d.type === 'ProductionDeployed');
    if (deployed?.type !== 'ProductionDeployed') return undefined;
    const { buildId, release, previous, rollbackOf, by } = deployed.data;
    if (!release || !previous || previous.buildId === buildId) return undefined;
    const { state, version } = await this.load(em, previous.buildId);
    const command: BuildCommand = {
      type: 'RecordProductionReplaced',
      replacedBy: buildId,
      release,
      by,
      rolledBack: rollbackOf === previous.buildId,
    };
    const events = decide(command, state);
    return events.length > 0 ? this.write(previous.buildId, version, events, causationId, actor) : undefined;
  }

  /** Other bits in the preview than QA saw: the build was superseded, and those bits are registered as a new build. */
  private digestChange(
    state: Build,
    drafts: BuildEventDraft[],
    causationId: string,
    actor: Actor,
  ): { write: StreamWrite; requests: Plan['requests'] } | undefined {
    const superseded = drafts.find((d) => d.type === 'BuildSuperseded');
    if (superseded?.type !== 'BuildSuperseded' || superseded.data.reason !== 'digest-changed' || state.status === 'Unknown')
      return undefined;
    const project = this.config.projects.get(state.build.project);
    if (!project) return undefined;
    const { requestId, type, target } = state.build;
    const write = this.registration(
      superseded.data.supersededBy,
      requestId,
      project,
      { type, target, image: superseded.data.newImage },
      causationId,
      actor,
    );
    return { write, requests: [{ requestId, buildId: superseded.data.supersededBy }] };
  }

  private refusal(
    error: BuildRefusal,
    input: BuildInput['input'],
    buildId: string,
    state: Build,
    version: number,
    actor: Actor,
    person: NonNullable<BuildInput['person']>,
  ): Plan {
    const known = state.status !== 'Unknown';
    this.logger.log({ msg: 'request refused', buildId, user: person.user, action: error.action, reason: error.reason, input: input.id });
    const requester = { ...person, ...(known ? { buildId, project: state.build.project } : {}) };
    const streamId = known ? buildStreamId(buildId) : deniedStreamId(input.id);
    const events = stamp([denial(error, requester)], {
      streamId,
      afterVersion: known ? version : 0,
      correlationId: known ? buildId : input.correlationId,
      causationId: input.id,
      actor,
      occurredAt: new Date().toISOString(),
      newId: randomUUID,
    });
    return { writes: [{ streamId, expectedVersion: known ? version : 0, events }], note: `denied: ${error.reason}` };
  }

  private registration(
    buildId: string,
    requestId: string,
    project: ProjectConfig,
    what: { type: 'branch' | 'tag'; target: string; image: string },
    causationId: string,
    actor: Actor,
  ): StreamWrite {
    const command: BuildCommand = {
      type: 'RegisterBuild',
      buildId,
      requestId,
      policy: policyOf(project),
      buildType: what.type,
      target: what.target,
      image: what.image,
      previewUrl: previewUrl(project.url, what.type, what.target),
      productionUrl: new URL(project.url).origin,
      rolloutDeadline: this.rolloutDeadline(),
    };
    return this.write(buildId, 0, decide(command, { status: 'Unknown' }), causationId, actor);
  }

  private personInput(input: PersonInput): Omit<BuildInput, 'command'> {
    const { buildId, user, origin } = input.data;
    return { input, buildId, actor: input.actor ?? { kind: 'slack-user', id: user }, person: { user, origin } };
  }

  private deployerInput(input: DeploymentSucceeded | DeploymentFailed | PreviewTornDown): Omit<BuildInput, 'command'> {
    return { input, buildId: input.data.buildId, actor: input.actor ?? { kind: 'service', name: 'deployer' } };
  }

  private async load(em: EntityManager, buildId: string): Promise<{ state: Build; version: number }> {
    const { version, events } = await this.path.store.readStream(em, buildStreamId(buildId));
    return { state: fold((events as unknown as BuildEvent[]).map(upcast)), version };
  }

  private write(buildId: string, afterVersion: number, drafts: readonly BuildEventDraft[], causationId: string, actor: Actor): StreamWrite {
    const streamId = buildStreamId(buildId);
    const events = stamp(drafts, {
      streamId,
      afterVersion,
      correlationId: buildId,
      causationId,
      actor,
      occurredAt: new Date().toISOString(),
      newId: randomUUID,
    });
    return { streamId, expectedVersion: afterVersion, events };
  }

  /** The number of the project's next release, and its latest release so far (what a rollback of the next would return to). */
  private async releaseAfter(
    em: EntityManager,
    project: string,
  ): Promise<{ release: number; previous?: { buildId: string; image: string; release: number } }> {
    const [latest] = await productionHistory(em, project, 1);
    if (!latest) return { release: 1 };
    const image = latest.digest ? pinned(latest.image, latest.digest) : latest.image;
    return { release: latest.release + 1, previous: { buildId: latest.buildId, image, release: latest.release } };
  }

  /** When the deployer gives a rollout asked for now up: the deadline approvals' own deadline follows. */
  private rolloutDeadline(): string {
    return new Date(Date.now() + this.config.env.ROLLOUT_TIMEOUT_SECONDS * 1000).toISOString();
  }

  /** The project's current roles; a project removed from the config keeps no one's rights. */
  private policyFor(projectId: string): ProjectPolicy {
    const project = this.config.projects.get(projectId);
    return project ? policyOf(project) : { ...UNKNOWN_POLICY, id: projectId, name: projectId };
  }
}

const targetLock = (project: string, type: string, target: string): string => `approvals.target:${project}/${type}/${target}`;

const policyOf = (p: ProjectConfig): ProjectPolicy => ({
  id: p.id,
  name: p.name,
  channel: p.channel,
  qa: p.qa,
  owners: p.owners,
  approvalsRequired: p.approvalsRequired,
  removePreviewAfterProduction: p.previews.removeAfterProduction,
  previewTtlMs: p.previews.ttl,
  previewRemindBeforeMs: p.previews.remindBefore,
  approvalsRemindAfterMs: p.approvals?.remindAfter,
  approvalsExpireAfterMs: p.approvals?.expireAfter,
});

const UNKNOWN_POLICY: ProjectPolicy = {
  id: '',
  name: '',
  channel: '',
  qa: [],
  owners: [],
  approvalsRequired: 0,
  removePreviewAfterProduction: false,
};
