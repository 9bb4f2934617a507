import type { WorkloadIdentity } from '../naming/naming';
import { targetLabel } from '../naming/naming';

/*
 * Labels and annotations deploybot puts on what it applies. Teardown selects by them and
 * operators filter by them (`kubectl get all -l app.kubernetes.io/managed-by=deploybot`):
 * renaming one orphans every object already in a cluster.
 */
export const LabelKeys = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  project: 'deploybot.dev/project',
  environment: 'deploybot.dev/environment',
  target: 'deploybot.dev/target',
} as const;

export const AnnotationKeys = {
  /** The build whose image runs; on the pod template too, so a new build always rolls out. */
  buildId: 'deploybot.dev/build-id',
  /**
   * The deployment request the pods were made for; on the pod template, so every request (e.g. an
   * owner's retry after a failed production rollout) starts fresh pods like `kubectl rollout restart`,
   * instead of waiting on the pods of the failed attempt. A redelivered request changes nothing.
   */
  requestId: 'deploybot.dev/request-id',
  /** When the running build was requested; a late redelivery of an older request must not roll it back. */
  requestedAt: 'deploybot.dev/requested-at',
} as const;

export const MANAGED_BY = 'deploybot';

/** Labels every object of a workload (and its pods) carries: the project's extra labels, then deploybot's own. */
export function workloadLabels(identity: WorkloadIdentity, name: string, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    ...extra,
    [LabelKeys.managedBy]: MANAGED_BY,
    [LabelKeys.name]: name,
    [LabelKeys.project]: identity.project,
    [LabelKeys.environment]: identity.environment,
  };
  if (identity.environment === 'preview') labels[LabelKeys.target] = targetLabel(identity.target);
  return labels;
}

/** Annotations every object of a workload (and its pods) carries: the project's extra annotations, then the build id. */
export const workloadAnnotations = (buildId: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ...extra,
  [AnnotationKeys.buildId]: buildId,
});

/**
 * The Deployment's selector: immutable once created, so it holds only what never changes
 * for a given name.
 */
export const selectorLabels = (name: string): Record<string, string> => ({
  [LabelKeys.managedBy]: MANAGED_BY,
  [LabelKeys.name]: name,
});

/** `k=v,k2=v2`, the label selector syntax of list calls. */
export const toLabelSelector = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
