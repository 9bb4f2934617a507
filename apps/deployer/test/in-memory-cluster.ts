import type { ImageBehavior, ImageBehaviorOptions } from '../../../test/fakes/kubernetes/image-behaviors';
import { FakeImageRegistry } from '../../../test/fakes/kubernetes/image-registry';
import { normalizeMicroTimes } from '../../../test/fakes/kubernetes/micro-time';
import { mergePatch } from '../../../test/fakes/kubernetes/patches';
import { clone, rfc3339, sameJson, type StoredObject } from '../../../test/fakes/kubernetes/object-meta';
import { apiVersionOf, findByApiVersionKind, findByKindName, type ResourceType } from '../../../test/fakes/kubernetes/resource-types';
import { parseLabelSelector } from '../../../test/fakes/kubernetes/selectors';
import { serverSideApply } from '../../../test/fakes/kubernetes/server-side-apply';
import {
  alreadyExists,
  conflict,
  notFound,
  preconditionFailed,
  resourceVersionRequired,
} from '../../../test/fakes/kubernetes/status-errors';
import type {
  Cluster,
  ClusterObject,
  ObjectChanges,
  ObjectList,
  ObjectRef,
  ObjectScope,
  WatchEnd,
  WatchEvent,
  WatchStream,
} from '../src/kubernetes/cluster.port';
import { toKubernetesError } from '../src/kubernetes/kubernetes-error';
import type { DeploymentSnapshot, PodSnapshot } from '../src/rollout/rollout-snapshot';
import { actionOf, ClusterCalls, type CallMatch, type ClusterCall, type InjectedFailure, type Stall } from './cluster-calls';
import { InMemoryKubelet, type PodStore } from './in-memory-kubelet';

export type { CallMatch, ClusterCall, InjectedFailure, Stall, Verb } from './cluster-calls';

/** The field manager of the deployer's applies (kubernetes-cluster.adapter.ts's FIELD_MANAGER). */
const FIELD_MANAGER = 'deploybot';

export interface InMemoryClusterOptions {
  /** The API server URL in messages. */
  server?: string;
  /** What a `'timeout'` failure says the adapter waited (its requestTimeoutMs). */
  timeoutMs?: number;
  /** Kinds whose CustomResourceDefinition is not installed (e.g. `['Mapping']`): every call on them fails as the adapter's `kindNotServed`. */
  unservedKinds?: string[];
}

/**
 * The {@link Cluster} port in memory, for fast unit tests: it answers as the adapter does over a
 * real API server (the shared contract, test/cluster.contract.ts, runs against both), borrowing the
 * HTTP Kubernetes fake's model — its kinds, Status errors, server-side apply, MicroTimes, image
 * registry and image behaviours — so both fakes agree by construction.
 *
 * - Objects: one global resourceVersion; a write that changes nothing keeps it; a spec change bumps
 *   `generation`. Server-side apply merges maps, replaces lists and drops what the last apply set
 *   and this one leaves out. Reads return copies.
 * - Optimistic concurrency: a guarded apply or a replace at a stale resourceVersion, a create of an
 *   existing name and a delete whose preconditions no longer hold fail with the adapter's 409
 *   KubernetesError, not retryable. Leases: a replace needs a resourceVersion and creates a missing one;
 *   a patch (JSON merge patch) never creates.
 * - Rollouts happen at once (InMemoryKubelet): a test chooses how pods behave by image.
 * - Failures are the adapter's KubernetesErrors after its retries: `failNext` makes the next
 *   matching port call fail, `stallNext` holds it until the test releases it.
 * - Watches as the API server's: from a resourceVersion, every change after it (an object
 *   entering or leaving the scope is ADDED or DELETED); a resourceVersion older than the kept
 *   history (see {@link compact}) gets an ERROR 410 Expired and the end of the stream. Events
 *   arrive asynchronously, in order, like lines off a socket. A test ends streams as a server or a
 *   network does: {@link closeWatches}, {@link cutWatches}, {@link expireWatches}; and sends
 *   bookmarks with {@link sendBookmarks}. `failNext({ verb: 'watch' }, 403)` refuses watches.
 * Not modelled: validation of names and fields, defaulting, field-ownership conflicts.
 */
export class InMemoryCluster implements Cluster {
  readonly server: string;
  /** The HTTP fake's registry: `digestOf(image)`, `push(image)` to move a tag (pods started afterwards pull the new digest). */
  readonly registry = new FakeImageRegistry();
  private readonly objects = new Map<string, StoredObject>();
  private readonly kubelet: InMemoryKubelet;
  private readonly wire: ClusterCalls;
  private readonly unserved: Set<string>;
  private resourceVersion = 1000;
  private uids = 0;
  /** Every change, for watches that resume from a resourceVersion; {@link compact} forgets it. */
  private history: Change[] = [];
  private oldestResumable = 1000;
  private readonly watches = new Set<InMemoryWatch>();

  constructor(options: InMemoryClusterOptions = {}) {
    this.server = options.server ?? 'https://kubernetes.in-memory.test:6443';
    this.wire = new ClusterCalls(this.server, options.timeoutMs ?? 10_000);
    this.unserved = new Set(options.unservedKinds ?? []);
    this.kubelet = new InMemoryKubelet(this.podStore(), this.registry);
  }

  // ── The port ──────────────────────────────────────────────────────────────────────────────

  apply<T extends ClusterObject>(object: T, guard?: { resourceVersion?: string }): Promise<T> {
    const sent = onTheWire(
      guard?.resourceVersion ? { ...object, metadata: { ...object.metadata, resourceVersion: guard.resourceVersion } } : object,
    );
    return this.call({ verb: 'apply', ...identity(object), object: sent, guard: guard?.resourceVersion }, !!guard, () => {
      const type = this.typeOf(sent.apiVersion, sent.kind);
      const live = this.find(type, sent.metadata.namespace, sent.metadata.name);
      if (live && sent.metadata.resourceVersion && sent.metadata.resourceVersion !== live.metadata.resourceVersion)
        throw conflict(type, live.metadata.name);
      const { object: merged, changed } = serverSideApply(live, sent, FIELD_MANAGER, (candidate) => this.finalize(type, candidate, live));
      if (!live) return this.store(type, merged);
      return changed ? this.store(type, merged, live) : live;
    }) as Promise<unknown> as Promise<T>;
  }

  create<T extends ClusterObject>(object: T): Promise<T> {
    const sent = onTheWire(object);
    return this.call({ verb: 'create', ...identity(object), object: sent }, true, () => {
      const type = this.typeOf(sent.apiVersion, sent.kind);
      if (this.find(type, sent.metadata.namespace, sent.metadata.name)) throw alreadyExists(type, sent.metadata.name);
      return this.store(type, this.finalize(type, sent, undefined));
    }) as Promise<unknown> as Promise<T>;
  }

  replace<T extends ClusterObject>(object: T): Promise<T> {
    const sent = onTheWire(object);
    return this.call({ verb: 'replace', ...identity(object), object: sent }, true, () => {
      const type = this.typeOf(sent.apiVersion, sent.kind);
      const live = this.find(type, sent.metadata.namespace, sent.metadata.name);
      if (!live && type.createOnUpdate) return this.store(type, this.finalize(type, sent, undefined));
      if (!live) throw notFound(type, sent.metadata.name);
      if (type.conditionalUpdateOnly && !sent.metadata.resourceVersion) throw resourceVersionRequired(type, live.metadata.name);
      if (sent.metadata.resourceVersion && sent.metadata.resourceVersion !== live.metadata.resourceVersion)
        throw conflict(type, live.metadata.name);
      const next = this.finalize(type, sent, live);
      return sameJson(withoutBookkeeping(next), withoutBookkeeping(live)) ? live : this.store(type, next, live);
    }) as Promise<unknown> as Promise<T>;
  }

  async patch<T extends ClusterObject>(ref: ObjectRef, changes: ObjectChanges, guard: { resourceVersion: string }): Promise<T | undefined> {
    try {
      return (await this.call({ verb: 'patch', ...ref, guard: guard.resourceVersion }, true, () => {
        const type = this.typeOf(ref.apiVersion, ref.kind);
        const live = this.find(type, ref.namespace, ref.name);
        if (!live) throw notFound(type, ref.name);
        if (guard.resourceVersion !== live.metadata.resourceVersion) throw conflict(type, live.metadata.name);
        const patch = {
          metadata: changes.annotations ? { annotations: changes.annotations } : {},
          ...(changes.spec ? { spec: changes.spec } : {}),
        };
        const next = this.finalize(type, mergePatch(live, patch) as StoredObject, live);
        return sameJson(withoutBookkeeping(next), withoutBookkeeping(live)) ? live : this.store(type, next, live);
      })) as unknown as T;
    } catch (error) {
      if ((error as { notFound?: boolean }).notFound) return undefined;
      throw error;
    }
  }

  async read<T extends ClusterObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.call({ verb: 'read', ...ref }, false, () => {
        const type = this.typeOf(ref.apiVersion, ref.kind);
        const live = this.find(type, ref.namespace, ref.name);
        if (!live) throw notFound(type, ref.name);
        return live;
      })) as unknown as T;
    } catch (error) {
      if ((error as { notFound?: boolean }).notFound) return undefined;
      throw error;
    }
  }

  readDeployment(namespace: string, name: string): Promise<(DeploymentSnapshot & ClusterObject) | undefined> {
    return this.read({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
  }

  listPods(namespace: string, labelSelector: string): Promise<(PodSnapshot & ClusterObject)[]> {
    const selected = parseLabelSelector(labelSelector);
    return this.call({ verb: 'list', apiVersion: 'v1', kind: 'Pod', namespace, labelSelector }, false, () =>
      this.podsIn(namespace).filter(selected),
    );
  }

  listObjects<T extends ClusterObject>(scope: ObjectScope): Promise<ObjectList<T>> {
    return this.call({ verb: 'list', ...scopeCall(scope) }, false, () => {
      const inScope = this.scopeFilter(scope);
      const items = [...this.objects.values()].filter(inScope);
      return { items: items as unknown as T[], resourceVersion: String(this.resourceVersion) };
    });
  }

  async watchObjects<T extends ClusterObject>(
    scope: ObjectScope,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchStream> {
    await this.call({ verb: 'watch', ...scopeCall(scope), resourceVersion }, false, () => this.typeOf(scope.apiVersion, scope.kind));
    const inScope = this.scopeFilter(scope);
    const action = actionOf({ verb: 'watch', ...scopeCall(scope) });
    const watch = new InMemoryWatch(action, inScope, onEvent as (event: WatchEvent<unknown>) => void, (w) => this.watches.delete(w));
    const from = Number(resourceVersion);
    if (!resourceVersion || resourceVersion === '0') {
      for (const object of this.objects.values()) if (inScope(object)) watch.send({ type: 'ADDED', object: clone(object) });
    } else if (!Number.isFinite(from) || from < this.oldestResumable) {
      watch.send({ type: 'ERROR', status: expiredStatus(resourceVersion, this.oldestResumable) });
      watch.close({});
      return watch;
    } else {
      for (const change of this.history) if (change.resourceVersion > from) watch.offer(change);
    }
    this.watches.add(watch);
    return watch;
  }

  async delete(ref: ObjectRef, precondition?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    try {
      return await this.call({ verb: 'delete', ...ref, precondition }, !!precondition, () => {
        const type = this.typeOf(ref.apiVersion, ref.kind);
        const live = this.find(type, ref.namespace, ref.name);
        if (!live) throw notFound(type, ref.name);
        const { uid = '', resourceVersion = '' } = live.metadata;
        if (precondition?.uid && precondition.uid !== uid)
          throw preconditionFailed(type, ref.namespace, ref.name, 'UID', precondition.uid, uid);
        if (precondition?.resourceVersion && precondition.resourceVersion !== resourceVersion) {
          throw preconditionFailed(type, ref.namespace, ref.name, 'ResourceVersion', precondition.resourceVersion, resourceVersion);
        }
        this.remove(type, live);
        if (type.kind === 'Deployment') this.kubelet.deploymentDeleted(live);
        return true;
      });
    } catch (error) {
      if ((error as { notFound?: boolean }).notFound) return false;
      throw error;
    }
  }

  serverVersion(): Promise<string> {
    return this.call({ verb: 'version' }, false, () => 'v1.32.0-deploybot-fake');
  }

  // ── Looking at it ─────────────────────────────────────────────────────────────────────────

  /** The stored object, as KubernetesFake.get: `kind` may be a Kind, plural or short name. */
  get(kind: string, namespace: string, name: string): any | undefined {
    const type = findByKindName(kind);
    if (!type) throw new Error(`the in-memory cluster does not serve kind "${kind}"`);
    return clone(this.find(type, namespace, name));
  }

  /** Every port call so far, in order (those that failed too), optionally only those matching. */
  calls(match: CallMatch = {}): ClusterCall[] {
    return this.wire.recorded(match);
  }

  clearCalls(): void {
    this.wire.clearRecorded();
  }

  // ── Driving it ────────────────────────────────────────────────────────────────────────────

  /** How pods of this image (exact reference, any tag of it, or a pattern) behave from now on; the HTTP fake's vocabulary and built-in names. */
  setImageBehavior(image: string | RegExp, behavior: ImageBehavior, options?: ImageBehaviorOptions): void {
    this.kubelet.setImageBehavior(image, behavior, options);
  }

  /** The pods of a Deployment (every template's). */
  podsOf(namespace: string, deployment: string): StoredObject[] {
    const live = this.mustFind('Deployment', namespace, deployment);
    return this.kubelet.podsOf(live).map((p) => clone(p));
  }

  /** The pod is replaced by a new one, which pulls its image again (after `registry.push`, another digest). */
  recreatePod(namespace: string, pod: string): void {
    const live = this.mustFind('Pod', namespace, pod);
    this.kubelet.recreatePod(this.ownerOf(live), live);
  }

  /** The Deployment's current rollout stops with Progressing=False, ProgressDeadlineExceeded. */
  exceedProgressDeadline(namespace: string, deployment: string): void {
    this.kubelet.exceedProgressDeadline(this.mustFind('Deployment', namespace, deployment));
  }

  /** A controller writes the object's status (e.g. a pod that reports no repository digest). */
  writeStatus(
    object: StoredObject | { kind: string; metadata: { namespace?: string; name: string } },
    status: Record<string, unknown>,
  ): void {
    const type = findByKindName(object.kind)!;
    const live = this.mustFind(object.kind, object.metadata.namespace ?? '', object.metadata.name);
    this.store(type, { ...live, status: clone(status) }, live);
    if (type.kind === 'Pod') this.kubelet.settle(this.ownerOf(live));
  }

  /** The next `times` port calls matching `match` fail as the adapter would report them after its retries. */
  failNext(match: CallMatch, failure: InjectedFailure, times = 1): void {
    this.wire.failNext(match, failure, times);
  }

  /** The next port call matching `match` waits until `release()`; `reached` says it arrived. */
  stallNext(match: CallMatch): Stall {
    return this.wire.stallNext(match);
  }

  /** While on, every call fails as the adapter's "cannot reach the cluster". */
  setUnavailable(on: boolean): void {
    this.wire.unavailable = on;
  }

  /** Watch streams open now. */
  openWatches(): number {
    return this.watches.size;
  }

  /** The server ends every open watch, as at its timeout: the client watches again from where it was. */
  closeWatches(): number {
    return this.endWatches(() => ({}));
  }

  /** Every open watch drops, as when a connection resets (an API server restart, a load balancer). */
  cutWatches(): number {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    return this.endWatches((w) => ({
      dropped: toKubernetesError(reset, { server: this.server, action: w.action, timeoutMs: 10_000 }),
    }));
  }

  /** Every open watch gets ERROR 410 Expired and ends, as when the server can no longer serve it from its resourceVersion. */
  expireWatches(): number {
    return this.endWatches((w) => {
      w.send({ type: 'ERROR', status: expiredStatus(String(this.oldestResumable - 1), this.resourceVersion) });
      return {};
    });
  }

  /** Forgets the history (etcd compaction): a watch from any resourceVersion before now gets 410 Expired. */
  compact(): void {
    this.history = [];
    this.oldestResumable = this.resourceVersion;
  }

  /** Every open watch gets a BOOKMARK at the current resourceVersion. */
  sendBookmarks(): void {
    for (const w of this.watches) w.send({ type: 'BOOKMARK', resourceVersion: String(this.resourceVersion) });
  }

  // ── Storage ───────────────────────────────────────────────────────────────────────────────

  /** What the kubelet may do: keep pods and write a Deployment's status. */
  private podStore(): PodStore {
    const pods = findByKindName('Pod')!;
    return {
      pods: (namespace) => this.podsIn(namespace),
      insert: (pod) => this.store(pods, pod),
      remove: (pod) => this.remove(pods, pod),
      writeStatus: (object, status) => this.writeStatus(object, status),
    };
  }

  private podsIn(namespace: string): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace);
  }

  private async call<T>(call: ClusterCall, conflictIsAnswer: boolean, perform: () => T): Promise<T> {
    try {
      await this.wire.before(call);
      return clone(perform());
    } catch (error) {
      throw this.wire.asAdapterError(error, call, conflictIsAnswer);
    }
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const type = findByApiVersionKind(apiVersion, kind);
    if (!type || this.unserved.has(kind)) throw new Error(`Unrecognized API version and kind: ${apiVersion} ${kind}`);
    return type;
  }

  private find(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(keyOf(type, namespace, name));
  }

  private mustFind(kind: string, namespace: string, name: string): StoredObject {
    const live = this.find(findByKindName(kind)!, namespace, name);
    if (!live) throw new Error(`the in-memory cluster has no ${kind} ${namespace}/${name}`);
    return live;
  }

  /** The Deployment a pod belongs to (its ReplicaSet is `<deployment>-<template hash>`). */
  private ownerOf(pod: StoredObject): StoredObject {
    const replicaSet = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name ?? '';
    return this.mustFind('Deployment', pod.metadata.namespace ?? '', replicaSet.replace(/-[^-]+$/, ''));
  }

  /** Identity, status and the server's bookkeeping on what a client sent, as the apiserver does before it stores. */
  private finalize(type: ResourceType, candidate: StoredObject, live: StoredObject | undefined): StoredObject {
    const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, ...metadata } = candidate.metadata;
    const object: StoredObject = { ...clone(candidate), apiVersion: apiVersionOf(type), kind: type.kind, metadata: { ...metadata } };
    if (live) {
      const { uid, resourceVersion, generation, creationTimestamp } = live.metadata;
      Object.assign(object.metadata, { uid, resourceVersion, generation, creationTimestamp });
    }
    if (type.statusSubresource) {
      if (live) object.status = clone(live.status);
      else delete object.status;
    }
    if (object.status === undefined) delete object.status;
    normalizeMicroTimes(type, object);
    return object;
  }

  /** Stores a new object, or a new version of `previous`: a new resourceVersion, and a new generation when the spec changed. */
  private store(type: ResourceType, object: StoredObject, previous?: StoredObject): StoredObject {
    const stored = clone(object);
    const meta = stored.metadata;
    meta.uid = previous?.metadata.uid ?? meta.uid ?? `uid-${++this.uids}`;
    meta.creationTimestamp = previous?.metadata.creationTimestamp ?? rfc3339();
    meta.generation = !previous
      ? 1
      : sameJson(specOf(previous), specOf(stored))
        ? previous.metadata.generation
        : (previous.metadata.generation ?? 1) + 1;
    meta.resourceVersion = String(++this.resourceVersion);
    this.objects.set(keyOf(type, meta.namespace, meta.name), stored);
    this.changed({ type: previous ? 'MODIFIED' : 'ADDED', object: clone(stored), previous: previous && clone(previous) });
    // The controller and kubelet act after the write (their status writes get later resourceVersions).
    const templateChanged = !previous || !sameJson(previous.spec?.template, stored.spec?.template);
    if (type.kind === 'Deployment' && templateChanged) this.kubelet.deploymentWritten(stored);
    return stored;
  }

  /** Deletes the stored object: the deletion is a change with its own resourceVersion, as in etcd. */
  private remove(type: ResourceType, live: StoredObject): void {
    const key = keyOf(type, live.metadata.namespace, live.metadata.name);
    const stored = this.objects.get(key);
    if (!stored) return;
    this.objects.delete(key);
    const gone = clone(stored);
    gone.metadata.resourceVersion = String(++this.resourceVersion);
    this.changed({ type: 'DELETED', object: gone, previous: clone(stored) });
  }

  private changed(change: Omit<Change, 'resourceVersion'>): void {
    const recorded = { ...change, resourceVersion: this.resourceVersion };
    this.history.push(recorded);
    if (this.history.length > HISTORY_LIMIT) {
      this.history.shift();
      this.oldestResumable = this.history[0].resourceVersion - 1;
    }
    for (const watch of this.watches) watch.offer(recorded);
  }

  private scopeFilter(scope: ObjectScope): (object: StoredObject) => boolean {
    const type = this.typeOf(scope.apiVersion, scope.kind);
    const selected = parseLabelSelector(scope.labelSelector);
    return (object) =>
      object.kind === type.kind &&
      (!type.namespaced || object.metadata.namespace === scope.namespace) &&
      (scope.name === undefined || object.metadata.name === scope.name) &&
      selected(object);
  }

  private endWatches(end: (watch: InMemoryWatch) => WatchEnd): number {
    const open = [...this.watches];
    for (const watch of open) watch.close(end(watch));
    return open.length;
  }
}

/** Changes kept for watches that resume (the HTTP fake keeps 20,000; unit tests make far fewer). */
const HISTORY_LIMIT = 10_000;

/** One stored change, at its resourceVersion. */
interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
  previous?: StoredObject;
  resourceVersion: number;
}

/** The Status of a watch from a resourceVersion the server no longer has (the HTTP fake's status-errors.ts `expired`). */
const expiredStatus = (requested: string, oldest: number) => ({
  code: 410,
  reason: 'Expired',
  message: `too old resource version: ${requested} (${oldest})`,
});

const scopeCall = (scope: ObjectScope): Pick<ClusterCall, 'apiVersion' | 'kind' | 'namespace' | 'name' | 'labelSelector'> => ({
  apiVersion: scope.apiVersion,
  kind: scope.kind,
  namespace: scope.namespace,
  ...(scope.name !== undefined ? { name: scope.name } : {}),
  ...(scope.labelSelector !== undefined ? { labelSelector: scope.labelSelector } : {}),
});

/**
 * One watch stream: changes in its scope become events (entering the scope is ADDED, leaving it
 * DELETED, as the API server's watch cache does), delivered one microtask later in order.
 */
class InMemoryWatch implements WatchStream {
  readonly ended: Promise<WatchEnd>;
  private finish!: (end: WatchEnd) => void;
  /** The server ended the stream: nothing more is sent (what was sent still arrives). */
  private closed = false;
  /** The client stopped: nothing more arrives. */
  private stopped = false;

  constructor(
    /** What the adapter says it was doing (`watch pods in namespace default`), for the reason of a drop. */
    readonly action: string,
    private readonly inScope: (object: StoredObject) => boolean,
    private readonly onEvent: (event: WatchEvent<unknown>) => void,
    private readonly unregister: (watch: InMemoryWatch) => void,
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  /** A change, as this stream's event if it concerns its scope. */
  offer(change: Change): void {
    const now = this.inScope(change.object);
    const before = change.previous ? this.inScope(change.previous) : false;
    if (change.type === 'DELETED') {
      if (before) this.send({ type: 'DELETED', object: clone(change.object) });
    } else if (now) {
      this.send({ type: before ? 'MODIFIED' : 'ADDED', object: clone(change.object) });
    } else if (before) {
      this.send({ type: 'DELETED', object: clone(change.object) });
    }
  }

  send(event: WatchEvent<unknown>): void {
    if (this.closed) return;
    queueMicrotask(() => {
      if (!this.stopped) this.onEvent(event);
    });
  }

  close(end: WatchEnd): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister(this);
    queueMicrotask(() => this.finish(this.stopped ? {} : end));
  }

  stop(): void {
    this.stopped = true;
    this.close({});
  }
}

const keyOf = (type: ResourceType, namespace: string | undefined, name: string): string =>
  `${type.kind}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;

/** Everything but metadata and status: a change here bumps metadata.generation. */
const specOf = ({ metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest }: StoredObject): Record<string, unknown> => rest;

const withoutBookkeeping = (o: StoredObject): StoredObject => ({
  ...o,
  metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined },
});

/** An object as it goes over the wire: JSON (a Date becomes its ISO string, undefined fields go). */
const onTheWire = (o: ClusterObject): StoredObject => clone(o) as unknown as StoredObject;

const identity = (o: ClusterObject): Pick<ClusterCall, 'apiVersion' | 'kind' | 'namespace' | 'name'> => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata?.namespace,
  name: o.metadata?.name,
});
