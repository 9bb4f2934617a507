import type { BuildType, TeardownReason, TimerKind } from '@app/contracts';

/** What a build is, fixed when it is registered. */
export interface BuildFacts {
  buildId: string;
  /** The CI request it was registered for (a digest change re-registers the bits under the same request). */
  requestId: string;
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

/** What the preview runs, as the deployer reported it once the preview was up. */
export interface PreviewBits {
  digest?: string;
  /** `repository@digest`: what production will run. */
  pinnedImage?: string;
}

/** The latest teardown of the build's preview: `n` counts attempts, so a retry gets a new attempt id. */
export interface Teardown {
  attemptId: string;
  n: number;
  status: 'requested' | 'removed' | 'failed';
  /** Why it was asked for (absent in streams written before teardowns carried a reason). */
  reason?: TeardownReason;
}

/** A durable timer of the build (TimerScheduled): only the latest of each kind may fire; `n` counts how often the kind was scheduled. */
export interface Timer {
  timerId: string;
  n: number;
  dueAt: string;
}

/** The release that replaced a build in production (ProductionReplaced); `rolledBack`: it was a rollback of the build. */
export interface Replacement {
  buildId: string;
  release: number;
  rolledBack: boolean;
}

/** Why a build expired (BuildExpired). */
export type ExpiryWhy = 'preview-ttl' | 'approval-ttl' | 'branch-deleted';

/** What every known build carries besides its status. */
interface Common {
  build: BuildFacts;
  bits: PreviewBits;
  teardown?: Teardown;
  /** Attempts approvals ended without the deployer's answer (deadline, dead letter); a late outcome of one is recorded. */
  abandoned: readonly string[];
  /** The build's timers by kind (preview expiry and its reminder, approval reminders and expiry). */
  timers: Partial<Record<TimerKind, Timer>>;
}

/**
 * A build's state, folded from its stream by `evolve`. A union tagged by `status`:
 * what may happen next depends only on the status and the facts carried with it.
 * Whether enough approvals are in is computed from `verdicts`, never stored.
 */
export type Build =
  | { status: 'Unknown' }
  | (Common & { status: 'Registered' })
  | (Common & { status: 'PreviewDeploying'; previewAttemptId: string })
  | (Common & { status: 'PreviewFailed'; reason: string })
  | (Common & { status: 'AwaitingQa'; previewAttemptId: string; verdicts: Verdict[] })
  | (Common & { status: 'Approved'; previewAttemptId: string; verdicts: Verdict[] })
  | (Common & {
      status: 'ProductionDeploying';
      previewAttemptId: string;
      verdicts: Verdict[];
      productionAttemptId: string;
      attempt: number;
      by: string;
      /**
       * A rollback to this build, in place of `of`; `wasBy` shipped it before and `replacedBy` replaced it then
       * (what it goes back to if the rollback fails).
       */
      rollback?: { of: string; wasBy: string; replacedBy?: Replacement };
    })
  | (Common & { status: 'ProductionFailed'; previewAttemptId: string; verdicts: Verdict[]; attempt: number; reason: string })
  /**
   * Shipped. `attempt`: its production attempts so far (a rollback to it is the next one);
   * `replacedBy`: a later release runs in production now (absent while this build's release runs).
   */
  | (Common & { status: 'InProduction'; verdicts: Verdict[]; by: string; attempt: number; replacedBy?: Replacement })
  | (Common & { status: 'Closed'; by: string })
  | (Common & { status: 'Superseded'; supersededBy: string })
  | (Common & { status: 'Expired'; why: ExpiryWhy });

export type BuildStatus = Build['status'];
export type KnownBuild = Exclude<Build, { status: 'Unknown' }>;

export const initialState = (): Build => ({ status: 'Unknown' });

export const approvalsOf = (verdicts: readonly Verdict[]): string[] => verdicts.filter((v) => v.verdict === 'approve').map((v) => v.user);
export const rejectionsOf = (verdicts: readonly Verdict[]): string[] => verdicts.filter((v) => v.verdict === 'reject').map((v) => v.user);

/**
 * Whether the build has ended: shipped, closed, superseded, expired, or its preview failed. The same CI
 * request sent again is a new build once this one ended, and the same build while it has not.
 */
export const hasEnded = (status: BuildStatus): boolean => {
  switch (status) {
    case 'PreviewFailed':
    case 'InProduction':
    case 'Closed':
    case 'Superseded':
    case 'Expired':
      return true;
    case 'Unknown':
    case 'Registered':
    case 'PreviewDeploying':
    case 'AwaitingQa':
    case 'Approved':
    case 'ProductionDeploying':
    case 'ProductionFailed':
      return false;
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
};

/**
 * Whether a newer build of the same project/type/target replaces this one. Not a build that is
 * in production or on its way there, nor one that is closed or superseded already.
 */
export const isSupersedable = (status: BuildStatus): boolean =>
  status === 'PreviewFailed' || (!hasEnded(status) && status !== 'Unknown' && status !== 'ProductionDeploying');
