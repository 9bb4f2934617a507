import type { BuildType, Environment, FailureCause } from '@app/contracts';
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
  | { type: 'GiveVerdict'; policy: ProjectPolicy; user: string; verdict: 'approve' | 'reject' }
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
    }
  | { type: 'RecordDeploymentFailed'; requestId: string; environment: Environment; reason: string }
  | { type: 'RecordPreviewTornDown'; requestId: string; deleted: string[] }
  /** No outcome came for an attempt: its deadline passed, or the deployer dead-lettered the request. */
  | { type: 'ExpireAttempt'; attemptId: string; kind: AttemptKind; cause: Exclude<FailureCause, 'deployer'>; reason: string };

export type BuildCommandType = BuildCommand['type'];
