import type { WorkloadIdentity } from '../naming/naming';

/**
 * One piece of work for the deployer: put `image` of a build at `url`, as asked by one
 * attempt. Built from PreviewDeploymentRequested / ProductionDeploymentRequested.
 */
export interface DeploymentOrder {
  /** The attempt (`attemptId`, or the event id of requests written before attempt ids): outcome ids derive from it. */
  requestId: string;
  buildId: string;
  /** The build's correlation id, carried on to the outcome. */
  correlationId: string;
  identity: WorkloadIdentity;
  image: string;
  /** Where the workload is reachable; also reported in DeploymentSucceeded. */
  url: string;
  /** When the request was made (its occurredAt): an older request never replaces a newer one. */
  requestedAt: string;
  /** When the deployer stops and reports the attempt failed (ISO): fixed by the request, so a redelivery keeps it. */
  rolloutDeadline: string;
}

/** How the deployer shapes every workload, from the environment (docs/architecture.md §7). */
export interface ManifestSettings {
  /** `spec.progressDeadlineSeconds`: Kubernetes marks a rollout stuck after this. */
  progressDeadlineSeconds: number;
}
