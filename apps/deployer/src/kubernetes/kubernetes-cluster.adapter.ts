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
} from '@kubernetes/client-node';
import type { Cluster, ClusterObject, ObjectRef } from './cluster.port';
import { KubernetesError, toKubernetesError } from './kubernetes-error';
import { DEFAULT_RETRY, RetryPolicy, withRetry } from './retry';

/** The field manager of every server-side apply: `kubectl get … --show-managed-fields` shows it. */
export const FIELD_MANAGER = 'deploybot';

export interface ClusterAdapterOptions {
  /** Timeout of each HTTP call to the API server. */
  timeoutMs: number;
  retry?: RetryPolicy;
}

/** The {@link Cluster} port over @kubernetes/client-node: the only place that talks to the API server. */
export class KubernetesClusterAdapter implements Cluster {
  readonly server: string;
  private readonly objects: KubernetesObjectApi;
  private readonly version: VersionApi;
  private readonly retry: RetryPolicy;

  constructor(
    kc: KubeConfig,
    private readonly options: ClusterAdapterOptions,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server;
    this.retry = options.retry ?? DEFAULT_RETRY;
    // As kc.makeApiClient does, plus a middleware that gives every request a deadline.
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [timeoutMiddleware(options.timeoutMs)],
    });
    // Every object deploybot touches names its namespace, so the context's default namespace is never used.
    this.objects = new KubernetesObjectApi(configuration);
    this.version = new VersionApi(configuration);
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

const describe = (o: ClusterObject): string => `${o.kind} ${o.metadata?.name} in namespace ${o.metadata?.namespace}`;
const refText = (ref: ObjectRef): string => `${ref.kind} ${ref.name} in namespace ${ref.namespace}`;
