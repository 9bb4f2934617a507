import type { DeploymentSnapshot, PodSnapshot } from '../rollout/rollout-snapshot';

/** DI token of the {@link Cluster} the deployer works against. */
export const CLUSTER = Symbol('CLUSTER');

/** Enough of any Kubernetes object to apply, find and delete it. */
export interface ClusterObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** Where an object lives. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * The Kubernetes calls the deployer makes, and nothing else. Every call has a timeout and
 * retries transient failures; what still fails is thrown as a KubernetesError with a reason
 * a person can act on.
 */
export interface Cluster {
  /** The API server URL, for messages. */
  readonly server: string;
  /**
   * Server-side apply with field manager `deploybot`: applying the same object twice changes nothing.
   * With `guard.resourceVersion` the apply only goes through if the object is still at that
   * version: a 409 (KubernetesError `conflict`) says it changed since it was read — read again and decide again.
   */
  apply<T extends ClusterObject>(object: T, guard?: { resourceVersion?: string }): Promise<T>;
  /** Creates the object; a 409 (`conflict`) says it already exists. */
  create<T extends ClusterObject>(object: T): Promise<T>;
  /** Replaces the object (PUT) if it is still at its `metadata.resourceVersion`; a 409 (`conflict`) says it is not. */
  replace<T extends ClusterObject>(object: T): Promise<T>;
  /** The object, or undefined when it does not exist. */
  read<T extends ClusterObject>(ref: ObjectRef): Promise<T | undefined>;
  readDeployment(namespace: string, name: string): Promise<(DeploymentSnapshot & ClusterObject) | undefined>;
  listPods(namespace: string, labelSelector: string): Promise<(PodSnapshot & ClusterObject)[]>;
  /**
   * Deletes the object only if it is still at `resourceVersion` (a precondition), so an object
   * re-applied in the meantime survives (a 409, `conflict`). Returns false when it was already gone.
   */
  delete(ref: ObjectRef, precondition?: { uid?: string; resourceVersion?: string }): Promise<boolean>;
  /** `/version`'s gitVersion: proves the API answers. */
  serverVersion(): Promise<string>;
}
