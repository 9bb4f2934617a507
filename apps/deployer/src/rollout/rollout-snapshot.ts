/*
 * The parts of a Deployment and its Pods the rollout evaluator reads. client-node's V1Deployment
 * and V1Pod fit these shapes, and so do the raw JSON samples in the tests.
 */

export interface ConditionSnapshot {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  /** client-node gives a Date, raw JSON a string (RFC 3339, whole seconds). */
  lastTransitionTime?: Date | string;
}

export interface DeploymentSnapshot {
  metadata?: { name?: string; generation?: number; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    /** Whose pods the Deployment wants now: the template carries the request's build and request ids. */
    template?: { metadata?: { annotations?: Record<string, string> } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: ConditionSnapshot[];
  };
}

export interface ContainerStatusSnapshot {
  name: string;
  ready?: boolean;
  /** What the runtime pulled, e.g. `registry.example.org/shop@sha256:…` (containerd). */
  imageID?: string;
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

export interface PodSnapshot {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  status?: {
    conditions?: ConditionSnapshot[];
    containerStatuses?: ContainerStatusSnapshot[];
    initContainerStatuses?: ContainerStatusSnapshot[];
  };
}

/** The ReplicaSet of this request's template, as far as the ReplicaSet controller's refusals go. */
export interface ReplicaSetSnapshot {
  metadata?: { name?: string };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: { conditions?: ConditionSnapshot[] };
}

/** One look at a rollout: the Deployment (absent once deleted) and the pods of this request. */
export interface RolloutObservation {
  deployment: DeploymentSnapshot | undefined;
  pods: PodSnapshot[];
  /**
   * This request's ReplicaSet, read only when the Deployment's ReplicaFailure may be an earlier
   * request's (replica-failure.ts `replicaSetNeeded`); undefined otherwise, or when there is none yet.
   */
  replicaSet?: ReplicaSetSnapshot;
}
