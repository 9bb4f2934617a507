import type { BuildFacts, BuildProgress, BuildSnapshot } from '../builds/build-snapshot';

/** A message the ledger knows: where it is, or why it could not be posted. */
export type LedgerMessage = { state: 'posted'; conversation: string; ts: string } | { state: 'unreachable'; problem: string };

/**
 * What `beginEffect` found: a fresh intent, one left `pending` by an earlier try that no longer
 * holds it (`since` the first try began), one already done, or one a live try elsewhere holds
 * (`held`, until its claim runs out unless renewed).
 */
export type EffectStart =
  | { state: 'new' }
  | { state: 'resumed'; attempts: number; since: Date }
  | { state: 'done' }
  | { state: 'held'; by: string; until: Date };

/**
 * Who is carrying out an effect and for how long: a pending intent is claimed by the try that
 * wrote it, for `ms` (renewed while it runs). Another try — a redelivery of the same event to
 * another replica while the first still runs, the next event of the build — waits instead of
 * taking a live try's intent for an abandoned one (docs/reliability.md F2). Once the claim runs
 * out (the process died) the intent is resumed; the same holder resumes it at once.
 */
export interface EffectClaim {
  holder: string;
  ms: number;
}

/** Where a post landed, and (for a tracked message) under which key the ledger keeps it. */
export interface EffectResult {
  conversation: string;
  /** Absent for an ephemeral message, which has no lasting ts. */
  ts?: string;
  message?: { buildId: string; key: string };
}

/**
 * What the effect runner keeps: every post's intent and result, keyed by (scope, effect key),
 * so a redelivered event posts nothing twice; and where each tracked message of a build is, so
 * later events edit it and thread under it.
 */
export interface EffectLedger {
  findMessage(buildId: string, key: string): Promise<LedgerMessage | undefined>;
  /**
   * Records the intent to post before calling Slack, claimed by `claim`. `done` means an earlier
   * delivery posted it already; `resumed` means an earlier try may or may not have reached Slack;
   * `held` means another live try is at it now.
   */
  beginEffect(scope: string, key: string, buildId: string | undefined, claim: EffectClaim): Promise<EffectStart>;
  /** Extends `claim` on a pending intent it holds; false when it no longer holds it. */
  renewClaim(scope: string, key: string, claim: EffectClaim): Promise<boolean>;
  /** Marks the post done and, for a tracked message, remembers where it is — both or neither. */
  completeEffect(scope: string, key: string, eventId: string, result: EffectResult): Promise<void>;
  /** Forgets a pending intent Slack certainly did not carry out (it answered with an error), so a retry starts clean. */
  abandonEffect(scope: string, key: string): Promise<void>;
  /** Remembers that a message cannot be posted (bot not in the channel, user deactivated), so later events skip it; never overwrites a posted one. */
  markUnreachable(buildId: string, key: string, eventId: string, problem: string): Promise<void>;
}

/** What the flows keep of a build, to render its later events. */
export interface BuildLedger {
  /** Stores BuildRegistered's facts once; a redelivery changes nothing. */
  registerBuild(facts: BuildFacts): Promise<void>;
  /** The build as it stands now; undefined when it is not registered. */
  findBuild(buildId: string): Promise<BuildSnapshot | undefined>;
  /** Applies `change` to the build's progress, atomically per build; undefined when the build is not registered. */
  updateProgress(buildId: string, change: (progress: BuildProgress) => BuildProgress): Promise<BuildSnapshot | undefined>;
}

/** The notifier's memory (Postgres in production, `PostgresMessageLedger`). */
export type MessageLedger = EffectLedger & BuildLedger;

/** DI token of the MessageLedger. */
export const MESSAGE_LEDGER = Symbol('MESSAGE_LEDGER');
