import { expect, it } from '@jest/globals';
import type { Cluster, ClusterObject, WatchEvent } from '../src/kubernetes/cluster.port';
import { KubernetesError } from '../src/kubernetes/kubernetes-error';
import type { PodSnapshot } from '../src/rollout/rollout-snapshot';
import { runningImage } from '../src/rollout/running-image';

/** A Cluster, and what a contract test needs to do to the API server behind it. */
export interface ClusterUnderTest {
  cluster: Cluster;
  /** The object as the API server stores it (KubernetesFake.get, InMemoryCluster.get). */
  get(kind: string, namespace: string, name: string): any;
  /** The next call matching fails with `status` — every try of it, however often the adapter retries. */
  failNextCall(match: { verb: 'apply' | 'read'; kind: 'Service' | 'Deployment'; name: string }, status: 403 | 422 | 500): void;
  setUnavailable(on: boolean): void;
  /** The digest the cluster's registry resolves `image` to. */
  digestOf(image: string): string;
  /** Forgets the change history: a watch from an earlier resourceVersion gets 410 Expired. */
  compact(): void;
  /** Drops the connection of every open watch. */
  cutWatches(): number;
}

const NS = 'default';
const MANAGED = { 'app.kubernetes.io/managed-by': 'deploybot' };

const service = (name: string, port = 80, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS, labels: { ...MANAGED, ...labels } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: port }] },
});

const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS, labels: MANAGED },
  spec: {
    replicas: 2,
    selector: { matchLabels: { 'app.kubernetes.io/name': name } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': name }, annotations: { 'deploybot.dev/request-id': `${name}:preview` } },
      spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
    },
  },
});

const leaseRef = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name });
const lease = (name: string, holder: string, resourceVersion?: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: NS, ...(resourceVersion ? { resourceVersion } : {}) },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: '2026-11-26T10:00:00.123456Z',
    renewTime: '2026-11-26T10:00:05.654321Z',
  },
});

/** The KubernetesError `call` rejected with (a failure when it did not). */
async function failureOf(call: Promise<unknown>): Promise<KubernetesError> {
  const error = await call.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubernetesError);
  return error as KubernetesError;
}

/** Polls until `probe` gives something: the HTTP fake's controllers take a few ms, the in-memory cluster none. */
async function settled<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (const deadline = Date.now() + 5_000; ; ) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const waitingReason = (pods: PodSnapshot[]): string | undefined => pods[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason;

/**
 * What any Cluster does, seen through the port: run against the adapter over the HTTP Kubernetes
 * fake (kubernetes-cluster.adapter.int-spec.ts) and against the in-memory cluster
 * (in-memory-cluster.spec.ts), so the unit tests' cluster answers as the real client does.
 */
export function behavesAsTheCluster(underTest: () => ClusterUnderTest): void {
  it('applies an object and answers it as stored; the same apply again changes nothing', async () => {
    const { cluster, get } = underTest();
    const first: ClusterObject = await cluster.apply(service('contract-same'));
    expect(first.metadata).toMatchObject({
      name: 'contract-same',
      namespace: NS,
      uid: expect.any(String),
      resourceVersion: expect.any(String),
    });
    const again: ClusterObject = await cluster.apply(service('contract-same'));
    expect(again.metadata!.resourceVersion).toBe(first.metadata!.resourceVersion);
    expect(get('Service', NS, 'contract-same').metadata.resourceVersion).toBe(first.metadata!.resourceVersion);
  });

  it('applies a change as a new resourceVersion and generation, dropping what the last apply set and this one leaves out', async () => {
    const { cluster, get } = underTest();
    const first: ClusterObject = await cluster.apply(service('contract-change', 80, { extra: 'yes' }));
    const changed: ClusterObject = await cluster.apply(service('contract-change', 81));
    expect(changed.metadata!.resourceVersion).not.toBe(first.metadata!.resourceVersion);
    const stored = get('Service', NS, 'contract-change');
    expect(stored.metadata.generation).toBe(2);
    expect(stored.metadata.labels).toEqual(MANAGED);
    expect(stored.spec.ports[0].port).toBe(81);
  });

  it('applies at a stale resourceVersion only as a 409 not worth retrying, and at the current one', async () => {
    const { cluster, get } = underTest();
    const first: ClusterObject = await cluster.apply(service('contract-guarded'));
    await cluster.apply(service('contract-guarded', 81));
    const error = await failureOf(cluster.apply(service('contract-guarded', 82), { resourceVersion: first.metadata!.resourceVersion }));
    expect(error).toMatchObject({ conflict: true, retryable: false });
    expect(error.reason).toBe(
      'Conflict: Operation cannot be fulfilled on services "contract-guarded": the object has been modified; please apply your changes to the latest version and try again (apply Service contract-guarded in namespace default)',
    );
    expect(get('Service', NS, 'contract-guarded').spec.ports[0].port).toBe(81);
    await cluster.apply(service('contract-guarded', 82), {
      resourceVersion: get('Service', NS, 'contract-guarded').metadata.resourceVersion,
    });
    expect(get('Service', NS, 'contract-guarded').spec.ports[0].port).toBe(82);
  });

  it('reads what is not there as undefined, and deleting it answers false', async () => {
    const { cluster } = underTest();
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'contract-never-created' };
    await expect(cluster.read(ref)).resolves.toBeUndefined();
    await expect(cluster.readDeployment(NS, 'contract-never-created')).resolves.toBeUndefined();
    await expect(cluster.delete(ref)).resolves.toBe(false);
  });

  it('creates once, replaces only at the current resourceVersion, and deletes only while its preconditions hold', async () => {
    const { cluster, get } = underTest();
    const name = 'contract-lease';
    const created: ClusterObject = await cluster.create(lease(name, 'a'));
    const exists = await failureOf(cluster.create(lease(name, 'b')));
    expect(exists).toMatchObject({
      conflict: true,
      retryable: false,
      reason: `Conflict: leases.coordination.k8s.io "${name}" already exists (create Lease ${name} in namespace default)`,
    });

    const replaced: ClusterObject = await cluster.replace(lease(name, 'b', created.metadata!.resourceVersion));
    expect(get('Lease', NS, name).spec.holderIdentity).toBe('b');
    await expect(cluster.replace(lease(name, 'c', created.metadata!.resourceVersion))).rejects.toMatchObject({
      conflict: true,
      retryable: false,
    });

    const stale = await failureOf(cluster.delete(leaseRef(name), { resourceVersion: created.metadata!.resourceVersion }));
    expect(stale).toMatchObject({ conflict: true, retryable: false });
    expect(stale.reason).toMatch(
      /^Conflict: Operation cannot be fulfilled on leases\.coordination\.k8s\.io "contract-lease": StorageError: .*Precondition failed: ResourceVersion in precondition: /,
    );
    await expect(cluster.delete(leaseRef(name), { uid: 'someone-else' })).rejects.toMatchObject({
      conflict: true,
      reason: expect.stringContaining('Precondition failed: UID in precondition: someone-else'),
    });
    await expect(
      cluster.delete(leaseRef(name), { uid: replaced.metadata!.uid, resourceVersion: replaced.metadata!.resourceVersion }),
    ).resolves.toBe(true);
    await expect(cluster.read(leaseRef(name))).resolves.toBeUndefined();
  });

  it('patches only at the current resourceVersion (null removes a key), and never creates what was deleted', async () => {
    const { cluster, get } = underTest();
    const name = 'contract-annotated';
    const created: ClusterObject = await cluster.create(lease(name, 'a'));
    const marks = { 'deploybot.dev/next-request-id': 'b-8:preview', 'deploybot.dev/next-build-id': 'b-8' };
    const marked = await cluster.patch(leaseRef(name), { annotations: marks }, { resourceVersion: created.metadata!.resourceVersion! });
    expect(marked?.metadata?.resourceVersion).not.toBe(created.metadata!.resourceVersion);
    expect(get('Lease', NS, name).metadata.annotations).toMatchObject(marks);
    expect(get('Lease', NS, name).spec.holderIdentity).toBe('a');

    await expect(
      cluster.patch(
        leaseRef(name),
        { annotations: { 'deploybot.dev/next-build-id': null } },
        { resourceVersion: created.metadata!.resourceVersion! },
      ),
    ).rejects.toMatchObject({ conflict: true, retryable: false });
    const renewed: ClusterObject | undefined = await cluster.patch(
      leaseRef(name),
      { annotations: { 'deploybot.dev/next-build-id': null }, spec: { renewTime: '2026-11-26T10:00:09.000001Z' } },
      { resourceVersion: marked!.metadata!.resourceVersion! },
    );
    expect(get('Lease', NS, name).spec).toMatchObject({ holderIdentity: 'a', renewTime: '2026-11-26T10:00:09.000001Z' });
    expect(get('Lease', NS, name).metadata.annotations).not.toHaveProperty('deploybot.dev/next-build-id');

    await cluster.delete(leaseRef(name));
    await expect(
      cluster.patch(leaseRef(name), { annotations: marks }, { resourceVersion: renewed!.metadata!.resourceVersion! }),
    ).resolves.toBeUndefined();
    await expect(cluster.read(leaseRef(name))).resolves.toBeUndefined();
  });

  it('keeps a Lease as written: holder, duration and MicroTimes', async () => {
    const { cluster } = underTest();
    await cluster.create(lease('contract-times', 'deployer-a/b-7:preview'));
    const read = await cluster.read<ClusterObject & { spec: Record<string, unknown> }>(leaseRef('contract-times'));
    expect(read?.spec).toMatchObject({
      holderIdentity: 'deployer-a/b-7:preview',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-26T10:00:00.123456Z',
      renewTime: '2026-11-26T10:00:05.654321Z',
    });
  });

  it('creates a Lease that is replaced after it was deleted', async () => {
    const { cluster, get } = underTest();
    const created: ClusterObject = await cluster.create(lease('contract-recreated', 'a'));
    await cluster.delete(leaseRef('contract-recreated'));
    await cluster.replace(lease('contract-recreated', 'b', created.metadata!.resourceVersion));
    expect(get('Lease', NS, 'contract-recreated').spec.holderIdentity).toBe('b');
  });

  it('rolls a Deployment out to ready pods that carry its template and report repository@digest of the image', async () => {
    const { cluster, digestOf } = underTest();
    const name = 'contract-ready';
    const image = 'registry.example.org/shop:contract';
    await cluster.apply(deployment(name, image));
    const live = await settled(async () => {
      const d = await cluster.readDeployment(NS, name);
      const s = d?.status;
      return s?.observedGeneration === d?.metadata?.generation && s?.updatedReplicas === 2 && s?.availableReplicas === 2 ? d : undefined;
    }, 'the Deployment to be available');
    expect(live.spec?.template?.metadata?.annotations).toEqual({ 'deploybot.dev/request-id': `${name}:preview` });

    const pods = await settled(async () => {
      const found = await cluster.listPods(NS, `app.kubernetes.io/name=${name}`);
      return found.length === 2 ? found : undefined;
    }, 'two pods');
    const imageId = `registry.example.org/shop@${digestOf(image)}`;
    for (const pod of pods) {
      expect(pod.metadata?.annotations).toMatchObject({ 'deploybot.dev/request-id': `${name}:preview` });
      expect(pod.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, imageID: imageId });
    }
    expect(runningImage(pods, 'app')).toEqual({ status: 'known', image: { digest: digestOf(image), imageId } });
    await expect(cluster.listPods(NS, 'app.kubernetes.io/name=contract-nobody')).resolves.toEqual([]);
  });

  it('shows an image that cannot be pulled as ImagePullBackOff naming it, with no imageID and nothing available', async () => {
    const { cluster } = underTest();
    const image = 'registry.example.org/shop:does-not-exist';
    await cluster.apply(deployment('contract-pull', image));
    const pods = await settled(async () => {
      const found = await cluster.listPods(NS, 'app.kubernetes.io/name=contract-pull');
      return waitingReason(found) === 'ImagePullBackOff' ? found : undefined;
    }, 'ImagePullBackOff');
    expect(pods[0].status?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      imageID: '',
      state: { waiting: { message: expect.stringContaining(`"${image}"`) } },
    });
    expect((await cluster.readDeployment(NS, 'contract-pull'))?.status?.availableReplicas).toBeUndefined();
  });

  it('shows a crashing container as CrashLoopBackOff with its last exit code', async () => {
    const { cluster } = underTest();
    await cluster.apply(deployment('contract-crash', 'registry.example.org/shop:crash'));
    const pods = await settled(async () => {
      const found = await cluster.listPods(NS, 'app.kubernetes.io/name=contract-crash');
      return waitingReason(found) === 'CrashLoopBackOff' ? found : undefined;
    }, 'CrashLoopBackOff');
    expect(pods[0].status?.containerStatuses?.[0]).toMatchObject({ ready: false, lastState: { terminated: { exitCode: 1 } } });
  });

  it('deletes a Deployment together with its pods', async () => {
    const { cluster } = underTest();
    await cluster.apply(deployment('contract-gone', 'registry.example.org/shop:contract'));
    await settled(async () => (await cluster.listPods(NS, 'app.kubernetes.io/name=contract-gone')).length === 2, 'two pods');
    await expect(cluster.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'contract-gone' })).resolves.toBe(true);
    await settled(async () => (await cluster.listPods(NS, 'app.kubernetes.io/name=contract-gone')).length === 0, 'no pods');
  });

  it('turns a denied call into the permission to grant, not retried', async () => {
    const { cluster, get, failNextCall } = underTest();
    failNextCall({ verb: 'apply', kind: 'Service', name: 'contract-denied' }, 403);
    const error = await failureOf(cluster.apply(service('contract-denied')));
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.reason).toBe(
      'Forbidden: the deployer may not apply Service contract-denied in namespace default: services "contract-denied" is forbidden: User "system:serviceaccount:deploybot:deployer" cannot patch resource "services" in API group "" in the namespace "default". Grant it in the deployer\'s Role (deploy/rbac.yaml, docs/kubernetes.md)',
    );
    expect(get('Service', NS, 'contract-denied')).toBeUndefined();
  });

  it('turns an invalid object into the field Kubernetes rejected', async () => {
    const { cluster, failNextCall } = underTest();
    failNextCall({ verb: 'apply', kind: 'Service', name: 'contract-invalid' }, 422);
    const error = await failureOf(cluster.apply(service('contract-invalid')));
    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.reason).toMatch(
      /^Invalid: Kubernetes rejected Service "contract-invalid": spec: Invalid value: "object": rejected by an injected failure .*\(apply Service contract-invalid in namespace default\)$/,
    );
  });

  it('gives up on a server error that outlasts the retries, as one worth trying again later', async () => {
    const { cluster, failNextCall } = underTest();
    failNextCall({ verb: 'read', kind: 'Deployment', name: 'contract-broken' }, 500);
    const error = await failureOf(cluster.readDeployment(NS, 'contract-broken'));
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(error.reason).toBe(
      `the Kubernetes API at ${cluster.server} failed: 500 InternalError: Internal error occurred: etcdserver: request timed out (read Deployment contract-broken in namespace default)`,
    );
  });

  it('says it cannot reach the cluster while the API server is down, and answers /version when it is up', async () => {
    const { cluster, setUnavailable } = underTest();
    setUnavailable(true);
    try {
      const error = await failureOf(cluster.serverVersion());
      expect(error).toMatchObject({ retryable: true, status: undefined });
      expect(error.reason).toMatch(new RegExp(`^cannot reach the cluster at ${cluster.server.replace(/[.]/g, '\\.')} \\(`));
    } finally {
      setUnavailable(false);
    }
    await expect(cluster.serverVersion()).resolves.toMatch(/^v1\./);
  });

  const watchedScope = { apiVersion: 'v1', kind: 'Service', namespace: NS, labelSelector: 'contract-watch=yes' };
  const watchedService = (name: string, port = 80, inScope = true) => service(name, port, inScope ? { 'contract-watch': 'yes' } : {});
  const eventNames = (events: WatchEvent<ClusterObject>[]) =>
    events.map((e) =>
      e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED' ? `${e.type} ${e.object.metadata?.name}` : e.type,
    );

  it('lists a scope with a resourceVersion; a watch from it sees every later change in the scope, in order', async () => {
    const { cluster } = underTest();
    await cluster.apply(watchedService('contract-w-a'));
    const list = await cluster.listObjects<ClusterObject>(watchedScope);
    expect(list.items.map((o) => o.metadata?.name)).toContain('contract-w-a');
    expect(list.resourceVersion).toMatch(/^\d+$/);
    const events: WatchEvent<ClusterObject>[] = [];
    const stream = await cluster.watchObjects<ClusterObject>(watchedScope, list.resourceVersion, (e) => events.push(e));
    try {
      await cluster.apply(watchedService('contract-w-a', 81));
      await cluster.apply(watchedService('contract-w-b'));
      await cluster.apply(service('contract-w-other'));
      await cluster.apply(watchedService('contract-w-b', 80, false));
      await cluster.delete({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'contract-w-a' });
      await settled(async () => events.length >= 4 || undefined, 'four events');
      expect(eventNames(events)).toEqual(['MODIFIED contract-w-a', 'ADDED contract-w-b', 'DELETED contract-w-b', 'DELETED contract-w-a']);
    } finally {
      stream.stop();
    }
    await expect(stream.ended).resolves.toEqual({});
  });

  it('answers a watch from a resourceVersion it no longer has with ERROR 410 Expired, and ends the stream', async () => {
    const { cluster, compact } = underTest();
    const { resourceVersion } = await cluster.listObjects(watchedScope);
    await cluster.apply(watchedService('contract-w-compacted'));
    compact();
    const events: WatchEvent<ClusterObject>[] = [];
    const stream = await cluster.watchObjects<ClusterObject>(watchedScope, resourceVersion, (e) => events.push(e));
    await expect(stream.ended).resolves.toEqual({});
    expect(events).toEqual([
      { type: 'ERROR', status: { code: 410, reason: 'Expired', message: expect.stringMatching(/^too old resource version: /) } },
    ]);
  });

  it('ends a watch whose connection dropped with a drop worth watching again after', async () => {
    const { cluster, cutWatches } = underTest();
    const { resourceVersion } = await cluster.listObjects(watchedScope);
    const stream = await cluster.watchObjects(watchedScope, resourceVersion, () => undefined);
    await settled(async () => cutWatches() > 0 || undefined, 'a watch to cut');
    const end = await stream.ended;
    expect(end.dropped).toMatchObject({
      retryable: true,
      reason: expect.stringContaining(`cannot reach the cluster at ${cluster.server}`),
    });
  });
}
