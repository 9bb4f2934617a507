import type { BuildType, Environment } from '@app/contracts';

/** The parts of a project's configuration that decide who may do what. */
export interface ProjectPolicy {
  id: string;
  name: string;
  channel: string;
  qa: readonly string[];
  owners: readonly string[];
  approvalsRequired: number;
}

/**
 * What approvals is asked to do with one build. Ids, URLs and the current policy arrive
 * in the command (the decider has no clock, no id generator, no config).
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
    }
  | { type: 'SupersedeBuild'; supersededBy: string; newImage: string }
  | { type: 'GiveVerdict'; policy: ProjectPolicy; user: string; verdict: 'approve' | 'reject' }
  /** `productionBusyWith`: the build whose production deployment of this project is in flight, if any. */
  | { type: 'PromoteBuild'; policy: ProjectPolicy; user: string; productionBusyWith?: string }
  | { type: 'CloseBuild'; policy: ProjectPolicy; user: string }
  | { type: 'RecordDeploymentSucceeded'; requestId: string; environment: Environment; url: string }
  | { type: 'RecordDeploymentFailed'; requestId: string; environment: Environment; reason: string }
  | { type: 'RecordPreviewTornDown'; requestId: string; deleted: string[] };

export type BuildCommandType = BuildCommand['type'];
