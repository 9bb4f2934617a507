import type { BuildType, Environment, FailureCause, TimerKind } from '@app/contracts';
import type { AttemptKind } from './attempts';

/** The parts of a project's configuration that decide who may do what, and what follows what. */
export interface ProjectPolicy {
  id: string;
  name: string;
  channel: string;
  qa: readonly string[];
  owners: readonly string[];
  approvalsRequired: number;
  /** Tear the preview down once the build is in production (projects file `previews.removeAfterProduction`). */
  removePreviewAfterProduction: boolean;
  /** `previews.ttl`: how long a preview that is not in production lives after it came up or was kept; absent: for ever. */
  previewTtlMs?: number;
  /** `previews.remindBefore`: how long before the expiry the owners are asked whether to keep it. */
  previewRemindBeforeMs?: number;
  /** `approvals.remindAfter`: QA members who have not answered are nudged this long after the preview came up, the owners as long again later. */
  approvalsRemindAfterMs?: number;
  /** `approvals.expireAfter`: a build still waiting for QA or an owner this long after its preview came up expires. */
  approvalsExpireAfterMs?: number;
}

/**
 * What approvals is asked to do with one build. Ids, URLs, times and the current policy
 * arrive in the command (the decider has no clock, no id generator, no config).
 */
export type BuildCommand =
  | {
      type: 'RegisterBuild';
      buildId: string;
      requestId: string;
      policy: ProjectPolicy;
      buildType: BuildType;
      target: string;
      image: string;
      previewUrl: string;
      productionUrl: string;
      /** When the deployer gives the preview's rollout up (now + ROLLOUT_TIMEOUT_SECONDS). */
      rolloutDeadline: string;
    }
  | { type: 'SupersedeBuild'; supersededBy: string; newImage: string; reason: 'newer-build' | 'digest-changed' }
  /** `reason`: a rejection's, from the reject modal (ignored for an approval). */
  | { type: 'GiveVerdict'; policy: ProjectPolicy; user: string; verdict: 'approve' | 'reject'; reason?: string }
  /** `productionBusyWith`: the build whose production deployment of this project is in flight, if any. */
  | { type: 'PromoteBuild'; policy: ProjectPolicy; user: string; productionBusyWith?: string; rolloutDeadline: string }
  | { type: 'CloseBuild'; policy: ProjectPolicy; user: string }
  | {
      type: 'RecordDeploymentSucceeded';
      requestId: string;
      environment: Environment;
      url: string;
      digest?: string;
      imageId?: string;
      policy: ProjectPolicy;
      /** The id a new build gets if the preview now runs other bits than QA saw (unused otherwise). */
      newBuildId: string;
      /** When it was recorded: the preview's timers run from here. */
      now: string;
      /** A production deployment's release number (the project's ProductionDeployed events so far + 1). */
      release?: number;
      /** The project's latest release before this one (image pinned to its digest): what a rollback would return to. */
      previous?: { buildId: string; image: string; release: number };
    }
  /** `policy` and `now`: a preview that failed to come up is removed after `previews.ttl` too. */
  | { type: 'RecordDeploymentFailed'; requestId: string; environment: Environment; reason: string; policy: ProjectPolicy; now: string }
  | { type: 'RecordPreviewTornDown'; requestId: string; deleted: string[] }
  /** No outcome came for an attempt: its deadline passed, or the deployer dead-lettered the request. */
  | {
      type: 'ExpireAttempt';
      attemptId: string;
      kind: AttemptKind;
      cause: Exclude<FailureCause, 'deployer'>;
      reason: string;
      policy: ProjectPolicy;
      now: string;
    }
  /** An owner clicked **Keep**: the preview lives another `previews.ttl` from `now`. */
  | { type: 'KeepPreview'; policy: ProjectPolicy; user: string; now: string }
  /** A timer of the build is due (decided against the build as it is now). */
  | { type: 'FireTimer'; timerId: string; kind: TimerKind; policy: ProjectPolicy; now: string }
  /** Build `replacedBy` shipped as release `release` (by `by`) while this build's release ran: it left production. */
  | { type: 'RecordProductionReplaced'; replacedBy: string; release: number; by: string; rolledBack: boolean }
  /** CI says the build's branch was deleted. */
  | { type: 'RecordBranchDeleted' }
  /**
   * An owner clicked **Roll back** on the announcement of `clicked`; decided on the build of the
   * project's previous release. `current`: the build of the latest release; `previous`: the one
   * before it (absent: nothing to roll back to); `productionBusyWith`: a production deployment in flight.
   */
  | {
      type: 'RollBack';
      policy: ProjectPolicy;
      user: string;
      clicked: string;
      current?: string;
      previous?: { release: number; digest?: string };
      productionBusyWith?: string;
      rolloutDeadline: string;
    };

export type BuildCommandType = BuildCommand['type'];
