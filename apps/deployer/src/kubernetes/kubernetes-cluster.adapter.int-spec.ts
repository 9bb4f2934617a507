import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubernetesFake, KubernetesFake } from '../../../../test/fakes/kubernetes';
import { behavesAsTheCluster } from '../../test/cluster.contract';
import { eventually, kubeconfigFor } from '../../test/deployer-test-support';
import { loadKubeConfig } from './kube-config';
import { KubernetesClusterAdapter } from './kubernetes-cluster.adapter';
import type { ClusterObject, WatchEvent } from './cluster.port';
import { KubernetesError } from './kubernetes-error';

const fastRetry = { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 };

const service = (name: string, port = 80) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'deploybot' } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: port }] },
});

describe('KubernetesClusterAdapter against the Kubernetes API fake', () => {
  let fake: KubernetesFake;
  let kubeconfig: { path: string; remove(): void };
  let cluster: KubernetesClusterAdapter;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.1 });
    kubeconfig = kubeconfigFor(fake);
    cluster = new KubernetesClusterAdapter(loadKubeConfig(kubeconfig.path), { timeoutMs: 1_000, retry: fastRetry });
  });
  afterEach(() => fake.setUnavailable(false));
  afterAll(async () => {
    await fake.stop();
    kubeconfig.remove();
  });

  it('applies with server-side apply as field manager deploybot', async () => {
    await cluster.apply(service('ssa-check'));
    const patch = fake.requests().find((r) => r.method === 'PATCH' && r.path.endsWith('/services/ssa-check'));
    expect(patch).toMatchObject({ contentType: 'application/apply-patch+yaml', query: { fieldManager: 'deploybot', force: 'true' } });
    expect(fake.get('Service', 'default', 'ssa-check')).toBeDefined();
  });

  it('changes nothing when the same object is applied again', async () => {
    await cluster.apply(service('twice'));
    const first = fake.get('Service', 'default', 'twice');
    await cluster.apply(service('twice'));
    expect(fake.get('Service', 'default', 'twice').metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('reads a missing object as undefined and deletes it as "already gone"', async () => {
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'never-created' };
    await expect(cluster.read(ref)).resolves.toBeUndefined();
    await expect(cluster.delete(ref)).resolves.toBe(false);
  });

  it('retries a 503 and succeeds', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/services/flaky' }, 503, 2);
    await cluster.apply(service('flaky'));
    expect(fake.get('Service', 'default', 'flaky')).toBeDefined();
  });

  it('gives up on a 500 that persists, with a readable reason', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/services/broken' }, 500, 3);
    await expect(cluster.apply(service('broken'))).rejects.toMatchObject({
      retryable: true,
      reason: expect.stringMatching(
        /^the Kubernetes API at https?:\/\/127\.0\.0\.1:\d+ failed: 500 InternalError: .*etcdserver: request timed out/,
      ),
    });
  });

  it('turns a 403 into the missing permission without retrying', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/services/denied' }, 403, 1);
    const error = (await cluster.apply(service('denied')).catch((e) => e)) as KubernetesError;
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error.reason).toMatch(
      /^Forbidden: the deployer may not apply Service denied in namespace default: .*cannot patch resource "services"/,
    );
    expect(fake.get('Service', 'default', 'denied')).toBeUndefined();
  });

  it('turns a 422 into the invalid field', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/services/invalid' }, 422, 1);
    await expect(cluster.apply(service('invalid'))).rejects.toMatchObject({
      reason: expect.stringMatching(/^Invalid: Kubernetes rejected .*spec: Invalid value/),
    });
  });

  it('says it cannot reach the cluster when the API server is down', async () => {
    fake.setUnavailable(true);
    await expect(cluster.serverVersion()).rejects.toMatchObject({
      reason: expect.stringContaining(`cannot reach the cluster at ${cluster.server}`),
    });
  });

  it('applies over a stale resourceVersion only as a 409 conflict, without retrying it', async () => {
    const first: ClusterObject = await cluster.apply(service('guarded'));
    await cluster.apply(service('guarded', 81));
    const before = fake.requests().length;
    const error = (await cluster
      .apply(service('guarded', 82), { resourceVersion: first.metadata!.resourceVersion })
      .catch((e) => e)) as KubernetesError;
    expect(error).toMatchObject({ conflict: true, retryable: false });
    expect(fake.requests().length - before).toBeLessThanOrEqual(2); // discovery may be asked once; the apply once
    expect(fake.get('Service', 'default', 'guarded').spec.ports[0].port).toBe(81);
    const current = fake.get('Service', 'default', 'guarded').metadata.resourceVersion;
    await cluster.apply(service('guarded', 82), { resourceVersion: current });
    expect(fake.get('Service', 'default', 'guarded').spec.ports[0].port).toBe(82);
  });

  it('creates, replaces at a resourceVersion, and deletes with preconditions, answering 409 when they do not hold', async () => {
    const lease = (holder: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'deploybot-adapter-check', namespace: 'default' },
      spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: '2026-11-26T10:00:00.000000Z' },
    });
    const created: ClusterObject = await cluster.create(lease('a'));
    await expect(cluster.create(lease('b'))).rejects.toMatchObject({ conflict: true });
    const replaced: ClusterObject = await cluster.replace({
      ...lease('b'),
      metadata: { ...lease('b').metadata, resourceVersion: created.metadata!.resourceVersion },
    });
    expect(fake.get('Lease', 'default', 'deploybot-adapter-check').spec.holderIdentity).toBe('b');
    await expect(
      cluster.replace({ ...lease('c'), metadata: { ...lease('c').metadata, resourceVersion: created.metadata!.resourceVersion } }),
    ).rejects.toMatchObject({
      conflict: true,
    });
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: 'deploybot-adapter-check' };
    await expect(cluster.delete(ref, { resourceVersion: created.metadata!.resourceVersion })).rejects.toMatchObject({ conflict: true });
    await expect(cluster.delete(ref, { resourceVersion: replaced.metadata!.resourceVersion })).resolves.toBe(true);
  });

  it('answers /version while the API is up', async () => {
    await expect(cluster.serverVersion()).resolves.toMatch(/^v1\./);
  });
});

describe('KubernetesClusterAdapter keeps the Cluster contract (against the Kubernetes API fake)', () => {
  let fake: KubernetesFake;
  let kubeconfig: { path: string; remove(): void };
  let cluster: KubernetesClusterAdapter;
  const method = { apply: 'PATCH', read: 'GET' } as const;
  const plural = { Service: 'services', Deployment: 'deployments' } as const;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.1 });
    kubeconfig = kubeconfigFor(fake);
    cluster = new KubernetesClusterAdapter(loadKubeConfig(kubeconfig.path), { timeoutMs: 1_000, retry: fastRetry });
  });
  afterAll(async () => {
    await fake.stop();
    kubeconfig.remove();
  });

  behavesAsTheCluster(() => ({
    cluster,
    get: (kind, namespace, name) => fake.get(kind, namespace, name),
    // A 5xx is retried: fail every try, so the port call itself fails.
    failNextCall: (match, status) =>
      fake.failNext(
        { method: method[match.verb], pathIncludes: `/${plural[match.kind]}/${match.name}` },
        status,
        status >= 500 ? fastRetry.attempts : 1,
      ),
    setUnavailable: (on) => fake.setUnavailable(on),
    digestOf: (image) => fake.registry.digestOf(image),
    compact: () => fake.compact(),
    cutWatches: () => fake.cutWatches(),
  }));
});

describe('KubernetesClusterAdapter lists and watches (against the Kubernetes API fake)', () => {
  let fake: KubernetesFake;
  let kubeconfig: { path: string; remove(): void };
  let cluster: KubernetesClusterAdapter;
  const scope = { apiVersion: 'v1', kind: 'Service', namespace: 'default', labelSelector: 'watched=yes' };
  const labelled = (name: string, port = 80) => ({
    ...service(name, port),
    metadata: { ...service(name).metadata, labels: { watched: 'yes' } },
  });

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.1 });
    kubeconfig = kubeconfigFor(fake);
    cluster = new KubernetesClusterAdapter(loadKubeConfig(kubeconfig.path), { timeoutMs: 1_000, retry: fastRetry });
  });
  afterAll(async () => {
    await fake.stop();
    kubeconfig.remove();
  });

  /** Opens a watch of `scope` from the list's resourceVersion, collecting its events. */
  async function watchFromList() {
    const list = await cluster.listObjects<ClusterObject>(scope);
    const events: WatchEvent<ClusterObject>[] = [];
    const stream = await cluster.watchObjects<ClusterObject>(scope, list.resourceVersion, (e) => events.push(e));
    return { list, events, stream };
  }

  it('lists with the resourceVersion to watch from, and watches from it with bookmarks and a server-side timeout', async () => {
    await cluster.apply(labelled('watched-a'));
    const { list, events, stream } = await watchFromList();
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['watched-a']);
    await cluster.apply(labelled('watched-a', 81));
    await cluster.apply(labelled('watched-b'));
    await cluster.apply(service('not-watched'));
    await eventually(async () => events.length >= 2 || undefined, 5_000, 'two events');
    expect(events.map((e) => (e.type === 'ADDED' || e.type === 'MODIFIED' ? [e.type, e.object.metadata?.name] : [e.type]))).toEqual([
      ['MODIFIED', 'watched-a'],
      ['ADDED', 'watched-b'],
    ]);
    const watch = fake.requests().find((r) => r.query.watch === 'true' && r.path === '/api/v1/namespaces/default/services');
    expect(watch?.query).toMatchObject({
      resourceVersion: list.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: '25',
      labelSelector: 'watched=yes',
    });
    fake.sendBookmarks();
    await eventually(async () => events.some((e) => e.type === 'BOOKMARK') || undefined, 5_000, 'a bookmark');
    stream.stop();
    await expect(stream.ended).resolves.toEqual({});
  });

  it('narrows a list and a watch to one name with a field selector', async () => {
    await cluster.apply(labelled('named-one'));
    await cluster.apply(labelled('named-two'));
    const list = await cluster.listObjects({ ...scope, name: 'named-two' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['named-two']);
    expect(fake.requests().findLast((r) => r.path === '/api/v1/namespaces/default/services')?.query).toMatchObject({
      fieldSelector: 'metadata.name=named-two',
    });
  });

  it('ends a stream the server closes without a drop, and one whose connection is cut with a retryable drop', async () => {
    const closed = await watchFromList();
    fake.closeWatches();
    await expect(closed.stream.ended).resolves.toEqual({});
    const cut = await watchFromList();
    fake.cutWatches();
    const end = await cut.stream.ended;
    expect(end.dropped).toBeInstanceOf(KubernetesError);
    expect(end.dropped).toMatchObject({
      retryable: true,
      reason: expect.stringContaining(`cannot reach the cluster at ${cluster.server}`),
    });
  });

  it('passes an ERROR 410 on as an event, and the stream ends', async () => {
    const { list } = await watchFromList();
    await cluster.apply(labelled('compacted'));
    fake.compact();
    const events: WatchEvent<ClusterObject>[] = [];
    const stream = await cluster.watchObjects<ClusterObject>(scope, list.resourceVersion, (e) => events.push(e));
    await expect(stream.ended).resolves.toEqual({});
    expect(events).toEqual([
      { type: 'ERROR', status: { code: 410, reason: 'Expired', message: expect.stringMatching(/^too old resource version/) } },
    ]);
  });

  it('rejects a watch the deployer may not make, as a permission to grant, not retried', async () => {
    fake.failNext({ verb: 'watch' }, 403, 1);
    const error = (await cluster.watchObjects(scope, '1', () => undefined).catch((e) => e)) as KubernetesError;
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.reason).toMatch(/^Forbidden: the deployer may not watch services in namespace default: /);
  });

  it('rejects a watch while the API server is down, as worth trying again', async () => {
    fake.setUnavailable(true);
    try {
      await expect(cluster.watchObjects(scope, '1', () => undefined)).rejects.toMatchObject({
        retryable: true,
        reason: expect.stringContaining(`cannot reach the cluster at ${cluster.server}`),
      });
    } finally {
      fake.setUnavailable(false);
    }
  });
});

describe('KubernetesClusterAdapter connections to the API server', () => {
  let fake: KubernetesFake;
  let relay: Server;
  let accepted = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.1 });
    // A TCP relay in front of the fake that counts the connections the deployer opens (TLS passes through).
    relay = createServer((client) => {
      accepted++;
      const upstream = connect(Number(new URL(fake.httpsUrl).port), '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => (sockets.delete(socket), client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => relay.close(resolve));
    await fake.stop();
  });

  it('makes its calls over kept-alive TLS connections, not a new connection and handshake each', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeConfigYaml().replace(fake.httpsUrl, `https://127.0.0.1:${(relay.address() as AddressInfo).port}`));
    const cluster = new KubernetesClusterAdapter(kc, { timeoutMs: 1_000, retry: fastRetry });
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'kept-alive' };
    for (let port = 8080; port < 8085; port++) {
      await cluster.apply(service('kept-alive', port));
      await cluster.read(ref);
    }
    // 11 requests with the discovery of v1: undici opens a second connection while the discovery's
    // is still being handed back, and from then on reuses both.
    expect(accepted).toBeLessThanOrEqual(2);

    const list = await cluster.listObjects({ apiVersion: 'v1', kind: 'Service', namespace: 'default' });
    const events: WatchEvent<ClusterObject>[] = [];
    const watch = await cluster.watchObjects({ apiVersion: 'v1', kind: 'Service', namespace: 'default' }, list.resourceVersion, (e) =>
      events.push(e),
    );
    await cluster.delete(ref);
    await eventually(() => events.some((e) => e.type === 'DELETED'));
    watch.stop();
    await cluster.apply(service('kept-alive'));
    await cluster.read(ref);
    await cluster.delete(ref);
    expect(fake.requests().filter((r) => r.path.includes('/services'))).toHaveLength(16);
    // The watch on a connection of its own (a stopped watch's connection is closed), and at most one
    // more for the calls when one is dispatched while the previous one's connection is handed back.
    expect(accepted).toBeLessThanOrEqual(4);
  });
});
