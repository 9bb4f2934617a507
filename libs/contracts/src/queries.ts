import { z } from 'zod';
import { BuildType } from './common';

/*
 * Queries answered by approvals over NATS request/reply (Subjects.GetBuild,
 * Subjects.ListProjectBuilds, exposed by the gateway as GET /v1/… ; Subjects.ProjectStatus,
 * Subjects.TargetBuild and Subjects.ProductionHistory, asked by the gateway's /deploybot slash command).
 * Not stored, but sent between services: renaming a field needs both sides changed together.
 */

export const GetBuildQuery = z.object({ id: z.string().min(1).max(200) });
export type GetBuildQuery = z.infer<typeof GetBuildQuery>;

export const ListProjectBuildsQuery = z.object({
  project: z.string().min(1),
  limit: z.number().int().min(1).max(500).default(50),
});
export type ListProjectBuildsQuery = z.infer<typeof ListProjectBuildsQuery>;

export interface VerdictView {
  user: string;
  verdict: 'approve' | 'reject';
  at: string;
  /** A rejection's reason, when the QA member gave one in the reject modal. */
  reason?: string;
}

/** A build as the read model knows it. */
export interface BuildView {
  id: string;
  project: string;
  type: 'branch' | 'tag';
  target: string;
  image: string;
  status: string;
  previewUrl: string;
  productionUrl: string | null;
  verdicts: VerdictView[];
  approvalsRequired: number;
  promotedBy: string | null;
  closedBy: string | null;
  supersededBy: string | null;
  failureReason: string | null;
  /** While the preview may expire (`previews.ttl`): when. Null once the build ended; absent from older approvals. */
  previewExpiresAt?: string | null;
  /** The owner who clicked **Keep** last. */
  keptBy?: string | null;
  /** Why an `expired` build expired. */
  expiredBecause?: 'preview-ttl' | 'approval-ttl' | 'branch-deleted' | null;
  /** A shipped build's production release number (its latest, if it was rolled back to). */
  release?: number | null;
  /** `replaced` / `rolled-back`: the build whose release runs in production instead, and that release's number. */
  replacedBy?: string | null;
  replacedByRelease?: number | null;
  createdAt: string;
  updatedAt: string;
}

/** `status [project]`: what runs in production and what is open, per project (at most 20 projects). */
export const ProjectStatusQuery = z.object({
  projects: z.array(z.string().min(1)).min(1).max(20),
  /** Open builds listed per project, newest first. */
  limit: z.number().int().min(1).max(50).default(10),
});
export type ProjectStatusQuery = z.infer<typeof ProjectStatusQuery>;

/** The newest build of one project/type/target, whatever its status: what `promote` and `close` act on. */
export const TargetBuildQuery = z.object({
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1).max(200),
});
export type TargetBuildQuery = z.infer<typeof TargetBuildQuery>;

/** `releases <project>`: the project's production deployments, newest first. */
export const ProductionHistoryQuery = z.object({
  project: z.string().min(1),
  limit: z.number().int().min(1).max(100).default(10),
});
export type ProductionHistoryQuery = z.infer<typeof ProductionHistoryQuery>;

/**
 * Who an open build waits for, as approvals reads its status and the project's roles:
 * the deployer (a rollout in flight), QA members who have not given a verdict yet, the owners
 * (to ship, to retry a failed production deployment, or to close a rejected build), or CI (a
 * new build, after the preview failed).
 */
export type WaitingFor =
  | { on: 'deployer'; environment: 'preview' | 'production' }
  | { on: 'qa'; users: string[]; approvalsMissing: number }
  | { on: 'owners'; users: string[]; to: 'ship' | 'retry' | 'close' }
  | { on: 'ci' };

/** A build that has not ended, with who it waits for. */
export interface OpenBuildView extends BuildView {
  waitingFor: WaitingFor;
}

/** One production deployment: a `ProductionDeployed` event of the log with its build's facts. */
export interface ReleaseView {
  buildId: string;
  project: string;
  type: 'branch' | 'tag';
  target: string;
  /** The image reference the build was reported with. */
  image: string;
  /** The digest production runs, when the deployer reported one. */
  digest: string | null;
  url: string;
  by: string;
  at: string;
  /** The project's release number: its production deployments counted from 1, rollbacks included. */
  release: number;
  /** When this release was a rollback: the build it replaced. */
  rollbackOf: string | null;
}

/** One project's state: the release production runs (the latest), and its open builds. */
export interface ProjectStatusView {
  project: string;
  name: string;
  production: ReleaseView | null;
  open: OpenBuildView[];
}

/** The answer of every query: data, or an error with an HTTP-like status. */
export type QueryReply<T> = { ok: true; data: T } | { ok: false; status: number; message: string };
