/** DI token of the {@link ApprovalsOptions}. */
export const APPROVALS_OPTIONS = Symbol('APPROVALS_OPTIONS');

/** Tuning that is not part of the operator contract; tests shorten it. */
export interface ApprovalsOptions {
  /** How often each replica looks for deadlines that passed (they fire within this of their time). */
  deadlineCheckIntervalMs: number;
  /** How often a replica deletes processed-input records past their retention (default hourly; the first sweep a minute after start). */
  retentionSweepIntervalMs?: number;
}

export const DEFAULT_APPROVALS_OPTIONS: ApprovalsOptions = { deadlineCheckIntervalMs: 1_000 };
