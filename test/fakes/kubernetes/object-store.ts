import { randomUUID } from 'node:crypto';
import { clone, randomSuffix, rfc3339, sameJson, type StoredObject } from './object-meta';
import { apiVersionOf, type ResourceType } from './resource-types';
import { alreadyExists, invalid, notFound } from './status-errors';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, in resourceVersion order; watches replay these. */
export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: StoredObject;
  /** The object before a MODIFIED or DELETED change. */
  previous?: StoredObject;
  resourceVersion: number;
  /** A delete with propagationPolicy=Orphan: the garbage collector leaves dependents alone. */
  orphan?: boolean;
}

export type StoreListener = (event: StoreEvent) => void;

export interface WriteOptions {
  /** dryRun=All: compute the result, store nothing, emit nothing. */
  dryRun?: boolean;
}

interface Entry {
  resource: ResourceType;
  object: StoredObject;
}

/** Entries keyed as `objects` keys them. */
type Keyed = Map<string, Entry>;

const keyOf = (resource: ResourceType, namespace: string | undefined, name: string): string =>
  `${resource.group}/${resource.plural}/${resource.namespaced ? (namespace ?? '') : ''}/${name}`;

/** Everything but metadata and status: a change here bumps metadata.generation. */
const specPart = (object: StoredObject): Record<string, unknown> => {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
};

const byKey = ([a]: [string, Entry], [b]: [string, Entry]): number => (a < b ? -1 : a > b ? 1 : 0);

/** Copies of entries, in key order (as etcd keys sort). */
const sortedCopies = (keyed: Iterable<[string, Entry]>): Entry[] =>
  [...keyed].sort(byKey).map(([, e]) => ({ resource: e.resource, object: clone(e.object) }));

/**
 * The fake's etcd: objects keyed by resource/namespace/name, one global resourceVersion,
 * and a bounded history so a watch can resume from a resourceVersion.
 * Everything handed out is a copy; listeners get events in resourceVersion order, even when a
 * listener writes while being notified.
 *
 * Besides the keys, objects are indexed by resource and namespace and by owner uid, so a list or
 * a controller's lookup costs what it returns, not what the whole store holds.
 */
export class ObjectStore {
  private readonly objects: Keyed = new Map();
  /** resource → metadata.namespace (undefined when cluster-scoped) → entries. */
  private readonly byNamespace = new Map<ResourceType, Map<string | undefined, Keyed>>();
  /** owner uid → keys of the objects whose ownerReferences name it. */
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly queue: StoreEvent[] = [];
  private dispatching = false;
  private rv = 1000;
  /** The resourceVersion of the last compaction: nothing before it can be replayed. */
  private compactedAt = 0;

  constructor(private readonly historyLimit = 20_000) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may resume from. */
  get oldestResumableVersion(): number {
    return Math.max(this.compactedAt, this.history.length ? this.history[0].resourceVersion - 1 : this.rv);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return clone(this.objects.get(keyOf(resource, namespace, name))?.object);
  }

  /**
   * Objects of one resource, in one namespace or all, sorted by namespace then name (as etcd keys
   * sort); with `where`, only those it selects (it reads the stored object: it must not change it).
   */
  list(resource: ResourceType, namespace?: string, where?: (object: StoredObject) => boolean): StoredObject[] {
    const namespaces = this.byNamespace.get(resource);
    if (!namespaces) return [];
    const keyed =
      namespace === undefined || !resource.namespaced
        ? [...namespaces.values()].flatMap((inNamespace) => [...inNamespace])
        : [...(namespaces.get(namespace) ?? [])];
    return sortedCopies(where ? keyed.filter(([, e]) => where(e.object)) : keyed).map((e) => e.object);
  }

  entries(): Entry[] {
    return sortedCopies(this.objects);
  }

  /** Every object whose ownerReferences name `ownerUid`, in key order. */
  dependentsOf(ownerUid: string | undefined): Entry[] {
    const keys = ownerUid === undefined ? undefined : this.byOwner.get(ownerUid);
    if (!keys) return [];
    return sortedCopies([...keys].map((key): [string, Entry] => [key, this.objects.get(key)!]));
  }

  create(resource: ResourceType, input: StoredObject, options: WriteOptions = {}): StoredObject {
    const object = clone(input);
    object.apiVersion = apiVersionOf(resource);
    object.kind = resource.kind;
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = this.generateName(resource, meta.namespace, meta.generateName);
    if (!meta.name) {
      throw invalid(resource, '', [
        { type: 'FieldValueRequired', field: 'metadata.name', body: 'Required value: name or generateName is required' },
      ]);
    }
    if (!resource.namespaced) delete meta.namespace;
    const key = keyOf(resource, meta.namespace, meta.name);
    if (this.objects.has(key)) throw alreadyExists(resource, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339();
    meta.generation = 1;
    if (options.dryRun) return { ...object, metadata: { ...meta, resourceVersion: String(this.rv) } };
    meta.resourceVersion = String(this.nextVersion());
    this.put(key, { resource, object });
    this.emit({ type: 'ADDED', resource, object: clone(object), resourceVersion: this.rv });
    return clone(object);
  }

  /** Replaces the stored object, keeping identity fields; bumps generation when anything outside metadata/status changed. */
  update(resource: ResourceType, input: StoredObject, options: WriteOptions = {}): StoredObject {
    const key = keyOf(resource, input.metadata.namespace, input.metadata.name);
    const entry = this.objects.get(key);
    if (!entry) throw notFound(resource, input.metadata.name);
    const previous = entry.object;
    const object = clone(input);
    object.apiVersion = apiVersionOf(resource);
    object.kind = resource.kind;
    const { uid, creationTimestamp, generation = 1 } = previous.metadata;
    object.metadata = {
      ...object.metadata,
      uid,
      creationTimestamp,
      generation: sameJson(specPart(previous), specPart(object)) ? generation : generation + 1,
    };
    if (!resource.namespaced) delete object.metadata.namespace;
    if (options.dryRun) return { ...object, metadata: { ...object.metadata, resourceVersion: previous.metadata.resourceVersion } };
    object.metadata.resourceVersion = String(this.nextVersion());
    this.remove(key, entry);
    entry.object = object;
    this.put(key, entry);
    this.emit({ type: 'MODIFIED', resource, object: clone(object), previous: clone(previous), resourceVersion: this.rv });
    return clone(object);
  }

  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options: WriteOptions & { orphan?: boolean } = {},
  ): StoredObject {
    const key = keyOf(resource, namespace, name);
    const entry = this.objects.get(key);
    if (!entry) throw notFound(resource, name);
    if (options.dryRun) return clone(entry.object);
    this.remove(key, entry);
    const object = clone(entry.object);
    object.metadata.resourceVersion = String(this.nextVersion());
    this.emit({
      type: 'DELETED',
      resource,
      object: clone(object),
      previous: entry.object,
      resourceVersion: this.rv,
      orphan: options.orphan,
    });
    return object;
  }

  /** Events after `resourceVersion`, or undefined when that is older than the kept history. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestResumableVersion) return undefined;
    // The history is in resourceVersion order: the first event after it, by bisection.
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.history[middle].resourceVersion > resourceVersion) high = middle;
      else low = middle + 1;
    }
    return this.history.slice(low);
  }

  /** Forgets the history, as etcd's compaction does: a watch can resume from now on only. */
  compact(): void {
    this.history.length = 0;
    this.compactedAt = this.rv;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.listeners.clear();
    this.queue.length = 0;
  }

  private put(key: string, entry: Entry): void {
    this.objects.set(key, entry);
    const namespaces = this.byNamespace.get(entry.resource) ?? new Map<string | undefined, Keyed>();
    this.byNamespace.set(entry.resource, namespaces);
    const namespace = entry.object.metadata.namespace;
    const inNamespace = namespaces.get(namespace) ?? new Map<string, Entry>();
    namespaces.set(namespace, inNamespace);
    inNamespace.set(key, entry);
    this.indexOwners(key, entry.object);
  }

  private remove(key: string, entry: Entry): void {
    this.objects.delete(key);
    const namespaces = this.byNamespace.get(entry.resource);
    const namespace = entry.object.metadata.namespace;
    const inNamespace = namespaces?.get(namespace);
    inNamespace?.delete(key);
    if (inNamespace?.size === 0) namespaces?.delete(namespace);
    this.unindexOwners(key, entry.object);
  }

  private indexOwners(key: string, object: StoredObject): void {
    for (const { uid } of object.metadata.ownerReferences ?? []) {
      if (!uid) continue;
      const keys = this.byOwner.get(uid) ?? new Set<string>();
      this.byOwner.set(uid, keys);
      keys.add(key);
    }
  }

  private unindexOwners(key: string, object: StoredObject): void {
    for (const { uid } of object.metadata.ownerReferences ?? []) {
      const keys = this.byOwner.get(uid);
      keys?.delete(key);
      if (keys?.size === 0) this.byOwner.delete(uid);
    }
  }

  private nextVersion(): number {
    this.rv += 1;
    return this.rv;
  }

  private generateName(resource: ResourceType, namespace: string | undefined, prefix: string): string {
    for (;;) {
      const name = `${prefix}${randomSuffix()}`;
      if (!this.objects.has(keyOf(resource, namespace, name))) return name;
    }
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(next);
          } catch (err) {
            // A broken listener must not stop the others (or the request that wrote).
            process.emitWarning(`kubernetes fake: store listener failed: ${(err as Error).stack ?? String(err)}`);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
