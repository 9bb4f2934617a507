import type { BuildType, FailureCause, TeardownReason } from '@app/contracts';

/**
 * What the notifier knows about a build, enough to render every message of it.
 * `facts` come from `BuildRegistered` and never change; `progress` follows the later events.
 *
 * Persisted in the notifier's ledger (`notifier.builds`): renaming a field needs a migration.
 */
export interface BuildSnapshot {
  facts: BuildFacts;
  progress: BuildProgress;
}

/** The build as registered: who to tell, where, about what. */
export interface BuildFacts {
  buildId: string;
  project: string;
  projectName: string;
  type: BuildType;
  target: string;
  image: string;
  previewUrl: string;
  productionUrl: string;
  /** The project channel (C…/G…) that gets the status message. */
  channel: string;
  qa: string[];
  owners: string[];
  approvalsRequired: number;
}

/*
 * The states below only ever gain optional fields (older rows in the ledger lack them):
 * `digest`, `pinnedImage`, `image`, `cause`, `reason` and `teardown` came with attempt
 * deadlines and pinned digests; absent means "not reported" (cause: `deployer`).
 */

export type PreviewState =
  | { status: 'deploying'; version: number }
  /** `digest`/`pinnedImage`: the bits the preview runs, which production will run. */
  | { status: 'deployed'; url: string; digest?: string; pinnedImage?: string; version: number }
  | { status: 'failed'; reason: string; cause?: FailureCause; version: number };

/** The release production ran before a build's: what **Roll back** on its announcement returns to. */
export interface PreviousRelease {
  buildId: string;
  /** `repository@sha256:…` */
  image: string;
  release: number;
}

/** A later release that runs in production instead of a build's (ProductionReplaced); `rolledBack`: it was a rollback of this build. */
export interface Replacement {
  buildId: string;
  release: number;
  by: string;
  rolledBack: boolean;
}

export type ProductionState =
  /**
   * `image`: what the deployer was asked to run (`repo@sha256:…` when the preview reported its digest).
   * `rollbackOf`: a rollback to this build, replacing that one; `before`: what this build's production was until then.
   */
  | {
      status: 'deploying';
      by: string;
      attempt: number;
      image?: string;
      digest?: string;
      rollbackOf?: string;
      before?: ProductionState;
      version: number;
    }
  /**
   * `attempt`: the attempt that shipped (absent when its request was not seen); `release`, `rollbackOf`, `previous`: as
   * ProductionDeployed says; `replacedBy`: a later release runs in production now.
   */
  | {
      status: 'deployed';
      by: string;
      url: string;
      attempt?: number;
      image?: string;
      digest?: string;
      release?: number;
      rollbackOf?: string;
      previous?: PreviousRelease;
      replacedBy?: Replacement;
      version: number;
    }
  | { status: 'failed'; by: string; attempt: number; reason: string; cause?: FailureCause; version: number };

/** How a build stopped taking clicks, other than by shipping. */
export type BuildEnding =
  | { kind: 'closed'; by: string }
  | { kind: 'superseded'; by: string; newImage: string; reason?: 'newer-build' | 'digest-changed' }
  /** Time ran out (`preview-ttl`, `approval-ttl`) or CI said the branch was deleted. */
  | { kind: 'expired'; why: 'preview-ttl' | 'approval-ttl' | 'branch-deleted' };

/**
 * When the preview expires (`previews.ttl`), and who kept it last (**Keep**). `remindedFor` is
 * the expiry the owners were last reminded of: its reminder replies are edited when it is kept
 * or expires.
 */
export interface PreviewExpiry {
  expiresAt: string;
  keptBy?: string;
  remindedFor?: string;
  version: number;
}

/**
 * The latest teardown of the build's preview. `why` is the teardown's reason (`closed`,
 * `in-production`), absent when the events did not say; `reason` and `cause` say why it failed.
 */
export type TeardownState =
  | { status: 'requested'; why: TeardownReason; version: number }
  | { status: 'removed'; why?: TeardownReason; version: number }
  | { status: 'failed'; why?: TeardownReason; reason: string; cause: FailureCause; version: number };

export interface Verdict {
  verdict: 'approved' | 'rejected';
  /** A rejection's reason, when the QA member gave one in the reject modal. */
  reason?: string;
  version: number;
}

/**
 * The build's progress. Every part carries the stream version of the event that set it, so an
 * event redelivered after later ones (a retried failure) cannot roll the state back.
 */
export interface BuildProgress {
  preview: PreviewState;
  /** By QA user id. */
  verdicts: Record<string, Verdict>;
  /** Set by `BuildApproved`, or by a `QaApproved` that reached the required count. */
  approved: boolean;
  production?: ProductionState;
  ending?: BuildEnding;
  teardown?: TeardownState;
  /** Absent when the project's previews do not expire. */
  previewExpiry?: PreviewExpiry;
}

export const initialProgress = (): BuildProgress => ({
  preview: { status: 'deploying', version: 0 },
  verdicts: {},
  approved: false,
});

/** QA members whose latest verdict is an approval, in the order they gave it. */
export const approvers = (build: BuildSnapshot): string[] =>
  Object.entries(build.progress.verdicts)
    .filter(([, v]) => v.verdict === 'approved')
    .map(([user]) => user);

/** The teardown's reason: as the events said, else what it must have been (shipped builds are torn down after production). */
export const teardownWhy = ({ progress }: BuildSnapshot): TeardownReason | undefined =>
  progress.teardown && (progress.teardown.why ?? (progress.production?.status === 'deployed' ? 'in-production' : 'closed'));

/** true once nobody can act on the build any more: shipped, closed or superseded (a failed teardown can still be retried). */
export const isFinal = (progress: BuildProgress): boolean => progress.ending !== undefined || progress.production?.status === 'deployed';
