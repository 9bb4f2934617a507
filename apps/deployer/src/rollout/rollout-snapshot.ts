/*
 * The parts of a Deployment and its Pods the rollout evaluator reads. client-node's V1Deployment
 * and V1Pod fit these shapes, and so do the raw JSON samples in the tests.
 */

export interface ConditionSnapshot {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface DeploymentSnapshot {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
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
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

export interface PodSnapshot {
  metadata?: { name?: string };
  status?: {
    containerStatuses?: ContainerStatusSnapshot[];
    initContainerStatuses?: ContainerStatusSnapshot[];
  };
}

/** One look at a rollout: the Deployment (absent once deleted) and the pods of the new build. */
export interface RolloutObservation {
  deployment: DeploymentSnapshot | undefined;
  pods: PodSnapshot[];
}
