import {
  createConfiguration,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
  V1Deployment,
  V1Pod,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
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
} from './cluster.port';
import { KeptConnections } from './kept-connections';
import { KubernetesError, toKubernetesError } from './kubernetes-error';
import { DEFAULT_RETRY, RetryPolicy, withRetry } from './retry';

/** The field manager of every server-side apply: `kubectl get … --show-managed-fields` shows it. */
export const FIELD_MANAGER = 'deploybot';

export interface ClusterAdapterOptions {
  /** Timeout of each HTTP call to the API server. */
  timeoutMs: number;
  retry?: RetryPolicy;
  /**
   * How long the API server keeps a watch open before it ends it (the client watches again from
   * the last resourceVersion). Below client-node's 30 s of silence after which it drops a watch,
   * so a quiet, healthy watch is ended by the server, and only a dead one by the silence.
   */
  watchTimeoutSeconds?: number;
}

/** The default {@link ClusterAdapterOptions.watchTimeoutSeconds}. */
export const WATCH_TIMEOUT_SECONDS = 25;

/** KubernetesObjectApi, plus the collection URL of a kind (from the discovery it already caches) for watches. */
class ObjectApi extends KubernetesObjectApi {
  collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace } }, 'list');
  }
}

/** The {@link Cluster} port over @kubernetes/client-node: the only place that talks to the API server. */
export class KubernetesClusterAdapter implements Cluster {
  readonly server: string;
  private readonly objects: ObjectApi;
  private readonly version: VersionApi;
  private readonly watcher: Watch;
  private readonly retry: RetryPolicy;

  constructor(
    kc: KubeConfig,
    private readonly options: ClusterAdapterOptions,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server;
    this.retry = options.retry ?? DEFAULT_RETRY;
    // As kc.makeApiClient does, plus a middleware that gives every request a deadline, and
    // connections kept alive across calls. Watches keep theirs apart: a stopped watch aborts its
    // request and so destroys its connection, and in a shared pool the next call would often be
    // handed that dead connection's slot and open a new one.
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: new KeptConnections(kc) },
      promiseMiddleware: [timeoutMiddleware(options.timeoutMs)],
    });
    // Every object deploybot touches names its namespace, so the context's default namespace is never used.
    this.objects = new ObjectApi(configuration);
    this.version = new VersionApi(configuration);
    this.watcher = new Watch(new KeptConnections(kc).kubeConfig());
  }

  apply<T extends ClusterObject>(object: T, guard?: { resourceVersion?: string }): Promise<T> {
    const guarded = guard?.resourceVersion
      ? { ...object, metadata: { ...object.metadata, resourceVersion: guard.resourceVersion } }
      : object;
    return this.call(
      `apply ${describe(object)}`,
      () => this.objects.patch(guarded as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
      { conflictIsAnswer: !!guard },
    ) as Promise<T>;
  }

  create<T extends ClusterObject>(object: T): Promise<T> {
    return this.call(
      `create ${describe(object)}`,
      () => this.objects.create(object as KubernetesObject, undefined, undefined, FIELD_MANAGER),
      {
        conflictIsAnswer: true,
      },
    ) as Promise<T>;
  }

  replace<T extends ClusterObject>(object: T): Promise<T> {
    return this.call(
      `replace ${describe(object)}`,
      () => this.objects.replace(object as KubernetesObject, undefined, undefined, FIELD_MANAGER),
      {
        conflictIsAnswer: true,
      },
    ) as Promise<T>;
  }

  patch<T extends ClusterObject>(ref: ObjectRef, changes: ObjectChanges, guard: { resourceVersion: string }): Promise<T | undefined> {
    const patch = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        resourceVersion: guard.resourceVersion,
        ...(changes.annotations ? { annotations: changes.annotations } : {}),
      },
      ...(changes.spec ? { spec: changes.spec } : {}),
    };
    return this.orUndefinedWhenMissing(() =>
      this.call(
        `patch ${refText(ref)}`,
        () => this.objects.patch(patch as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
        { conflictIsAnswer: true },
      ),
    ) as Promise<T | undefined>;
  }

  async read<T extends ClusterObject>(ref: ObjectRef): Promise<T | undefined> {
    return this.orUndefinedWhenMissing(() =>
      this.call(`read ${refText(ref)}`, () =>
        this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }),
      ),
    ) as Promise<T | undefined>;
  }

  readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const list = await this.call(`list pods in namespace ${namespace}`, () =>
      this.objects.list<V1Pod>('v1', 'Pod', namespace, undefined, undefined, undefined, undefined, labelSelector),
    );
    return list.items;
  }

  async listObjects<T extends ClusterObject>(scope: ObjectScope): Promise<ObjectList<T>> {
    const list = await this.call(`list ${scopeText(scope)}`, () =>
      this.objects.list<KubernetesObject>(
        scope.apiVersion,
        scope.kind,
        scope.namespace,
        undefined,
        undefined,
        undefined,
        fieldSelectorOf(scope),
        scope.labelSelector,
      ),
    );
    return { items: list.items as T[], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async watchObjects<T extends ClusterObject>(
    scope: ObjectScope,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchStream> {
    const context = { server: this.server, action: `watch ${scopeText(scope)}`, timeoutMs: this.options.timeoutMs };
    // Discovery (cached after the first call) is an ordinary call: retried, with a timeout.
    const path = await this.call(`find the API path of ${scope.kind}`, () =>
      this.objects.collectionPath(scope.apiVersion, scope.kind, scope.namespace),
    );
    const query = {
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.options.watchTimeoutSeconds ?? WATCH_TIMEOUT_SECONDS,
      fieldSelector: fieldSelectorOf(scope),
      labelSelector: scope.labelSelector,
    };
    let open = false;
    let stopped = false;
    let refused: unknown;
    let ended!: (end: WatchEnd) => void;
    const end = new Promise<WatchEnd>((resolve) => (ended = resolve));
    const controller = await this.watcher.watch(
      path,
      query,
      (type: string, object: unknown) => {
        const event = toWatchEvent<T>(type, object);
        if (event && !stopped) onEvent(event);
      },
      (error: unknown) => {
        if (!open && error) refused = error;
        // Our own stop aborts the request: that is an end, not a drop.
        ended(error && !stopped ? { dropped: toKubernetesError(watchFailure(error), context) } : {});
      },
    );
    open = true;
    if (refused) throw toKubernetesError(watchFailure(refused), context);
    return {
      ended: end,
      stop: () => {
        stopped = true;
        controller.abort();
      },
    };
  }

  async delete(ref: ObjectRef, precondition?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
    const body = { propagationPolicy: 'Background', ...(precondition ? { preconditions: precondition } : {}) };
    const deleted = await this.orUndefinedWhenMissing(() =>
      this.call(`delete ${refText(ref)}`, () => this.objects.delete(spec, undefined, undefined, undefined, undefined, undefined, body), {
        conflictIsAnswer: !!precondition,
      }),
    );
    return deleted !== undefined;
  }

  async serverVersion(): Promise<string> {
    const info = await this.call('read /version', () => this.version.getCode());
    return info.gitVersion;
  }

  /**
   * One API call with a timeout, retried while it fails transiently. With `conflictIsAnswer` a
   * 409 is not retried: for a call with a precondition, the same call would fail the same way.
   */
  private call<T>(action: string, request: () => Promise<T>, options: { conflictIsAnswer?: boolean } = {}): Promise<T> {
    const context = { server: this.server, action, timeoutMs: this.options.timeoutMs };
    const classify = (error: unknown): KubernetesError => {
      const e = toKubernetesError(error, context);
      return options.conflictIsAnswer && e.conflict ? new KubernetesError(e.reason, false, e.status) : e;
    };
    return withRetry(() => request().catch((error: unknown) => Promise.reject(classify(error))), this.retry);
  }

  private async orUndefinedWhenMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof KubernetesError && error.notFound) return undefined;
      throw error;
    }
  }
}

function timeoutMiddleware(timeoutMs: number) {
  return {
    pre: async (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return context;
    },
    post: async (context: ResponseContext) => context,
  };
}

const fieldSelectorOf = (scope: ObjectScope): string | undefined => (scope.name ? `metadata.name=${scope.name}` : undefined);

/** `Deployment shop in namespace x` or `pods in namespace x` (as the reasons of reads and lists say it). */
const scopeText = (scope: ObjectScope): string =>
  scope.name
    ? `${scope.kind} ${scope.name} in namespace ${scope.namespace}`
    : `${scope.kind.toLowerCase()}s in namespace ${scope.namespace}`;

/** A line of a watch stream as a port event; undefined for a type the API server does not send. */
function toWatchEvent<T>(type: string, object: unknown): WatchEvent<T> | undefined {
  const o = (object ?? {}) as { metadata?: { resourceVersion?: string }; code?: number; reason?: string; message?: string };
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type, object: object as T };
    case 'BOOKMARK':
      return { type, resourceVersion: o.metadata?.resourceVersion ?? '' };
    case 'ERROR':
      return { type, status: { code: o.code, reason: o.reason, message: o.message } };
    default:
      return undefined;
  }
}

/** client-node's Watch answers a non-200 with `Error(statusText)` and `statusCode`: in the shape toKubernetesError reads. */
function watchFailure(error: unknown): unknown {
  const e = error as { statusCode?: unknown; message?: string };
  return typeof e?.statusCode === 'number' ? { code: e.statusCode, body: { message: e.message }, headers: {} } : error;
}

const describe = (o: ClusterObject): string => `${o.kind} ${o.metadata?.name} in namespace ${o.metadata?.namespace}`;
const refText = (ref: ObjectRef): string => `${ref.kind} ${ref.name} in namespace ${ref.namespace}`;
