/*
 * Attempt ids: one per piece of work approvals asks another service for. Derived from the
 * build and a counter, so the decider needs no id generator and a stream folds without
 * envelope ids. Sent to the deployer and quoted back in outcomes: changing the scheme only
 * affects new attempts (outcomes quote whatever the request said).
 */
export const previewAttemptId = (buildId: string): string => `${buildId}:preview`;
export const productionAttemptId = (buildId: string, attempt: number): string => `${buildId}:production:${attempt}`;
export const teardownAttemptId = (buildId: string, n: number): string => `${buildId}:teardown:${n}`;

/** The kinds of work an attempt can be: what a passed deadline fails. */
export type AttemptKind = 'preview' | 'production' | 'teardown';
