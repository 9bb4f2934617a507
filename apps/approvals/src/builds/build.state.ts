import type { BuildType } from '@app/contracts';

/** What a build is, fixed when it is registered. */
export interface BuildFacts {
  buildId: string;
  project: string;
  type: BuildType;
  target: string;
  image: string;
  previewUrl: string;
  productionUrl: string;
}

/** One QA member's verdict; at most one per member. */
export interface Verdict {
  user: string;
  verdict: 'approve' | 'reject';
}

/**
 * A build's state, folded from its stream by `evolve`. A union tagged by `status`:
 * what may happen next depends only on the status and the facts carried with it.
 * Whether enough approvals are in is computed from `verdicts`, never stored.
 */
export type Build =
  | { status: 'Unknown' }
  | { status: 'Registered'; build: BuildFacts }
  | { status: 'PreviewDeploying'; build: BuildFacts; previewRequestId: string }
  | { status: 'PreviewFailed'; build: BuildFacts; reason: string }
  | { status: 'AwaitingQa'; build: BuildFacts; verdicts: Verdict[] }
  | { status: 'Approved'; build: BuildFacts; verdicts: Verdict[] }
  | { status: 'ProductionDeploying'; build: BuildFacts; verdicts: Verdict[]; productionRequestId: string; attempt: number; by: string }
  | { status: 'ProductionFailed'; build: BuildFacts; verdicts: Verdict[]; attempt: number; reason: string }
  | { status: 'InProduction'; build: BuildFacts; verdicts: Verdict[]; by: string }
  | { status: 'Closed'; build: BuildFacts; by: string; closeRequestId: string; previewRemoved: boolean }
  | { status: 'Superseded'; build: BuildFacts; supersededBy: string };

export type BuildStatus = Build['status'];
export type KnownBuild = Exclude<Build, { status: 'Unknown' }>;

export const initialState = (): Build => ({ status: 'Unknown' });

export const approvalsOf = (verdicts: readonly Verdict[]): string[] => verdicts.filter((v) => v.verdict === 'approve').map((v) => v.user);
export const rejectionsOf = (verdicts: readonly Verdict[]): string[] => verdicts.filter((v) => v.verdict === 'reject').map((v) => v.user);

/**
 * Statuses a newer build of the same project/type/target supersedes. A build that is in
 * production, deploying to production, closed or superseded is no longer "open".
 */
export const OPEN_STATUSES: readonly BuildStatus[] = ['Registered', 'PreviewDeploying', 'PreviewFailed', 'AwaitingQa', 'Approved', 'ProductionFailed'];
