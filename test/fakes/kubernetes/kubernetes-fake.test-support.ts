import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
  type V1Deployment,
} from '@kubernetes/client-node';
import type { KubernetesFake } from './index';

/** Real @kubernetes/client-node clients pointed at a fake, the way the deployer builds them. */
export const clientsFor = (fake: KubernetesFake) => {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeConfigYaml());
  return { kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), objects: KubernetesObjectApi.makeApiClient(kc) };
};

/** Server-side apply as field manager "deploybot", forced, like the deployer does it. */
export const apply = <R extends KubernetesObject = V1Deployment>(objects: KubernetesObjectApi, manifest: KubernetesObject): Promise<R> =>
  objects.patch(manifest, undefined, undefined, 'deploybot', true, PatchStrategy.ServerSideApply) as Promise<R>;

export const deploymentManifest = (
  name: string,
  image: string,
  options: { replicas?: number; progressDeadlineSeconds?: number; labels?: Record<string, string> } = {},
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: 'default',
    labels: { 'app.kubernetes.io/managed-by': 'deploybot', app: name, ...options.labels },
    annotations: { 'deploybot.dev/build-id': 'b-1' },
  },
  spec: {
    replicas: options.replicas ?? 1,
    ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
    },
  },
});

/** Polls until `probe` returns a truthy value (or stops throwing); fails with the last problem after `timeoutMs`. */
type Falsy = false | null | undefined | 0 | '';

export const eventually = async <T>(probe: () => T | Falsy | Promise<T | Falsy>, timeoutMs = 5000, intervalMs = 20): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as T;
      last = new Error(`condition still false: ${JSON.stringify(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

/** The ApiException a call rejected with, or a failure when it did not reject. */
export const rejection = async (call: Promise<unknown>): Promise<ApiException<string>> => {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) return err as ApiException<string>;
    throw err;
  }
  throw new Error('expected the call to fail with an ApiException');
};

/** The metav1.Status an ApiException carries (client-node keeps the body as text). */
export const statusOf = (err: ApiException<string>): Record<string, any> =>
  typeof err.body === 'string' ? JSON.parse(err.body) : err.body;

export interface WatchEvent<T> {
  type: string;
  object: T;
}

/**
 * Watches `path` with the real client-node Watch and resolves with every event up to and including
 * the first one `until` accepts. Rejects if the watch ends first or nothing arrives within `timeoutMs`.
 */
export const watchUntil = async <T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  until: (event: WatchEvent<T>) => boolean,
  timeoutMs = 10_000,
): Promise<WatchEvent<T>[]> => {
  const events: WatchEvent<T>[] = [];
  let controller: AbortController | undefined;
  const finished = new Promise<WatchEvent<T>[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`watch on ${path} saw no matching event in ${timeoutMs} ms: ${JSON.stringify(events.map((e) => e.type))}`)),
      timeoutMs,
    );
    void new Watch(kc)
      .watch(
        path,
        query,
        (type: string, object: T) => {
          events.push({ type, object });
          if (until({ type, object })) {
            clearTimeout(timer);
            resolve(events);
          }
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err ?? new Error(`watch on ${path} ended early`));
        },
      )
      .then((c) => (controller = c), reject);
  });
  try {
    return await finished;
  } finally {
    controller?.abort();
  }
};
