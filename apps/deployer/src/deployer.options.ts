import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RetryPolicy } from './kubernetes/retry';
import { DEFAULT_LEASE_SETTINGS, LeaseSettings } from './leases/workload-locks';

/** DI token of the {@link DeployerOptions}. */
export const DEPLOYER_OPTIONS = Symbol('DEPLOYER_OPTIONS');

/**
 * Tuning that is not part of the operator contract (docs/architecture.md §7 has the rollout limits);
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
  /** The per-workload Leases that keep requests for one workload one at a time (15 s, renewed every 2 s; a waiter looks every 250 ms). */
  lease: LeaseSettings;
  /** This replica in lease holder identities (`<instance>/<request>`); the pod name and a random suffix by default. */
  instanceId: string;
}

/** `<hostname>-<random>`: the pod name in a cluster, and unique even for two instances in one process (tests). */
export const newInstanceId = (): string => `${hostname()}-${randomBytes(3).toString('hex')}`;

export const DEFAULT_DEPLOYER_OPTIONS: Omit<DeployerOptions, 'instanceId'> = {
  pollIntervalMs: 1_000,
  requestTimeoutMs: 10_000,
  readinessTtlMs: 15_000,
  lease: DEFAULT_LEASE_SETTINGS,
};
