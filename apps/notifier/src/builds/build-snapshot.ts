import type { BuildType } from '@app/contracts';

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

export type PreviewState =
  | { status: 'deploying'; version: number }
  | { status: 'deployed'; url: string; version: number }
  | { status: 'failed'; reason: string; version: number };

export type ProductionState =
  | { status: 'deploying'; by: string; attempt: number; version: number }
  | { status: 'deployed'; by: string; url: string; version: number }
  | { status: 'failed'; by: string; attempt: number; reason: string; version: number };

/** How a build stopped taking clicks, other than by shipping. */
export type BuildEnding = { kind: 'closed'; by: string } | { kind: 'superseded'; by: string; newImage: string };

export interface Verdict {
  verdict: 'approved' | 'rejected';
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

/** true once nobody can act on the build any more: shipped, closed or superseded. */
export const isFinal = (progress: BuildProgress): boolean =>
  progress.ending !== undefined || progress.production?.status === 'deployed';
