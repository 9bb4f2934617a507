import type { DeploymentSnapshot, PodSnapshot } from '../rollout/rollout-snapshot';
import type { KubernetesError } from './kubernetes-error';

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
 * What a list or a watch covers: the objects of one kind in one namespace, narrowed to one name
 * (`fieldSelector=metadata.name=…`) and/or a label selector.
 */
export interface ObjectScope {
  apiVersion: string;
  kind: string;
  namespace: string;
  name?: string;
  labelSelector?: string;
}

/** A list and the resourceVersion it was read at: a watch from there misses nothing. */
export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

/** The Status an ERROR event carries; 410 (`Expired`/`Gone`): the resourceVersion is too old, list again. */
export interface WatchErrorStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** One event of a watch stream (the API server's `{"type","object"}` lines). */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Nothing changed in scope up to `resourceVersion`: a watch resumed from there misses nothing. */
  | { type: 'BOOKMARK'; resourceVersion: string }
  | { type: 'ERROR'; status: WatchErrorStatus };

/** How a watch stream ended: closed by the server (its timeout) or dropped (`error`: a reset, a refused port, silence). */
export interface WatchEnd {
  dropped?: KubernetesError;
}

/** An open watch stream. */
export interface WatchStream {
  /** Resolves once the stream has ended, however it ended; never rejects. */
  readonly ended: Promise<WatchEnd>;
  /** Closes the stream; `ended` resolves. */
  stop(): void;
}

/** What `Cluster.patch` changes: annotations and spec fields, merged in (null removes a key). */
export interface ObjectChanges {
  annotations?: Record<string, string | null>;
  spec?: Record<string, unknown>;
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
  /**
   * Changes the object's annotations and spec fields — a JSON merge patch (null removes a key) —
   * if it is still at `guard.resourceVersion`; a 409 (`conflict`) says it changed since. Unlike
   * `replace`, which creates a Lease that was deleted meanwhile (the API server allows
   * create-on-update for Leases), it never creates: undefined when the object is gone.
   */
  patch<T extends ClusterObject>(ref: ObjectRef, changes: ObjectChanges, guard: { resourceVersion: string }): Promise<T | undefined>;
  /** The object, or undefined when it does not exist. */
  read<T extends ClusterObject>(ref: ObjectRef): Promise<T | undefined>;
  readDeployment(namespace: string, name: string): Promise<(DeploymentSnapshot & ClusterObject) | undefined>;
  listPods(namespace: string, labelSelector: string): Promise<(PodSnapshot & ClusterObject)[]>;
  /** The objects in `scope`, with the list's resourceVersion (to watch from). */
  listObjects<T extends ClusterObject>(scope: ObjectScope): Promise<ObjectList<T>>;
  /**
   * Watches `scope` from `resourceVersion` with bookmarks; events go to `onEvent` in order. Not
   * retried: resolves once the stream is open, rejects (KubernetesError) when it cannot be opened
   * (403 without the `watch` verb, a 410 for a resourceVersion the server no longer has, the
   * server unreachable). The server ends a stream after a while; the caller watches again.
   */
  watchObjects<T extends ClusterObject>(
    scope: ObjectScope,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchStream>;
  /**
   * Deletes the object only if it is still at `resourceVersion` (a precondition), so an object
   * re-applied in the meantime survives (a 409, `conflict`). Returns false when it was already gone.
   */
  delete(ref: ObjectRef, precondition?: { uid?: string; resourceVersion?: string }): Promise<boolean>;
  /** `/version`'s gitVersion: proves the API answers. */
  serverVersion(): Promise<string>;
}
