import type { RetryPolicy } from './kubernetes/retry';

/** DI token of the {@link DeployerOptions}. */
export const DEPLOYER_OPTIONS = Symbol('DEPLOYER_OPTIONS');

/**
 * Tuning that is not part of the operator contract (DESIGN §7 has the rollout limits);
 * tests shorten these.
 */
export interface DeployerOptions {
  /** How often a rollout is looked at. */
  pollIntervalMs: number;
  /** Timeout of each call to the Kubernetes API. */
  requestTimeoutMs: number;
  /** Retries of transient Kubernetes failures. */
  retry?: RetryPolicy;
  /** How long a successful /version keeps the service ready. */
  readinessTtlMs: number;
}

export const DEFAULT_DEPLOYER_OPTIONS: DeployerOptions = {
  pollIntervalMs: 1_000,
  requestTimeoutMs: 10_000,
  readinessTtlMs: 15_000,
};
