import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually, rejection, statusOf } from './kubernetes-fake.test-support';

describe('Kubernetes API fake, driven by @kubernetes/client-node', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  it('creates a Deployment by server-side apply and treats an identical re-apply as a no-op', async () => {
    const created = await apply(clients.objects, deploymentManifest('ssa-web', 'registry.example/web:1'));
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['deploybot', 'Apply']]);

    // Wait until the simulated controllers are done writing status, then re-apply the same config.
    const settled = await eventually(async () => {
      const d = await clients.apps.readNamespacedDeployment({ name: 'ssa-web', namespace: 'default' });
      return d.status?.conditions?.some((c) => c.reason === 'NewReplicaSetAvailable') && d;
    });
    const again = await apply(clients.objects, deploymentManifest('ssa-web', 'registry.example/web:1'));
    expect(again.metadata?.generation).toBe(1);
    expect(again.metadata?.resourceVersion).toBe(settled.metadata?.resourceVersion);

    const ssa = fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/ssa-web'));
    expect(ssa[0]).toMatchObject({ contentType: 'application/apply-patch+yaml', query: { fieldManager: 'deploybot', force: 'true' } });
  });

  it('bumps generation when the template changes and drops fields the manager stopped applying', async () => {
    const first = deploymentManifest('ssa-prune', 'registry.example/web:1', { labels: { tier: 'front' } });
    await apply(clients.objects, first);
    const second = deploymentManifest('ssa-prune', 'registry.example/web:2');
    const updated = await apply(clients.objects, second);
    expect(updated.metadata?.generation).toBe(2);
    expect(updated.metadata?.labels?.tier).toBeUndefined();
    expect((updated as V1Deployment).spec?.template.spec?.containers[0].image).toBe('registry.example/web:2');
  });

  it('fills in the defaults a real apiserver adds', async () => {
    await apply(clients.objects, deploymentManifest('defaults', 'registry.example/web:1'));
    const read = await clients.apps.readNamespacedDeployment({ name: 'defaults', namespace: 'default' });
    expect(read.spec?.progressDeadlineSeconds).toBe(600);
    expect(read.spec?.strategy?.type).toBe('RollingUpdate');
    expect(read.spec?.template.spec?.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
    expect(read.metadata?.creationTimestamp).toBeInstanceOf(Date);
  });

  it('lists by label selector (equality, inequality and set-based) and by metadata.name', async () => {
    for (const [name, env] of [
      ['sel-a', 'preview'],
      ['sel-b', 'production'],
      ['sel-c', 'preview'],
    ]) {
      await apply(clients.objects, deploymentManifest(name, 'registry.example/web:1', { labels: { env, group: 'sel' } }));
    }
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await clients.apps.listNamespacedDeployment({ namespace: 'default', labelSelector, fieldSelector })).items.map(
        (d) => d.metadata?.name,
      );
    expect(await names('group=sel,env=preview')).toEqual(['sel-a', 'sel-c']);
    expect(await names('group=sel,env!=preview')).toEqual(['sel-b']);
    expect(await names('env in (production),group')).toEqual(['sel-b']);
    expect(await names('group=sel,env notin (production)')).toEqual(['sel-a', 'sel-c']);
    expect(await names(undefined, 'metadata.name=sel-b')).toEqual(['sel-b']);
  });

  it('answers a missing object with a NotFound Status', async () => {
    const err = await rejection(clients.apps.readNamespacedDeployment({ name: 'nope', namespace: 'default' }));
    expect(err.code).toBe(404);
    expect(statusOf(err)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('refuses a second create with AlreadyExists', async () => {
    const body = deploymentManifest('twice', 'registry.example/web:1');
    await clients.apps.createNamespacedDeployment({ namespace: 'default', body });
    const err = await rejection(clients.apps.createNamespacedDeployment({ namespace: 'default', body }));
    expect(err.code).toBe(409);
    expect(statusOf(err)).toMatchObject({
      reason: 'AlreadyExists',
      message: 'deployments.apps "twice" already exists',
      details: { name: 'twice', group: 'apps', kind: 'deployments' },
    });
  });

  it('refuses a stale resourceVersion on replace with Conflict', async () => {
    const created = await clients.apps.createNamespacedDeployment({
      namespace: 'default',
      body: deploymentManifest('stale', 'registry.example/web:1'),
    });
    await clients.apps.patchNamespacedDeployment(
      { name: 'stale', namespace: 'default', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const err = await rejection(clients.apps.replaceNamespacedDeployment({ name: 'stale', namespace: 'default', body: created }));
    expect(err.code).toBe(409);
    expect(statusOf(err).message).toBe(
      'Operation cannot be fulfilled on deployments.apps "stale": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('rejects a name that is not a DNS-1123 subdomain with an Invalid Status listing the causes', async () => {
    const err = await rejection(apply(clients.objects, deploymentManifest('test_deploy', 'registry.example/web:1')));
    expect(err.code).toBe(422);
    const status = statusOf(err);
    expect(status).toMatchObject({ reason: 'Invalid', details: { name: 'test_deploy', group: 'apps', kind: 'Deployment' } });
    expect(status.message).toMatch(
      /^Deployment\.apps "test_deploy" is invalid: metadata\.name: Invalid value: "test_deploy": a lowercase RFC 1123 subdomain must consist of/,
    );
    expect(status.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' })]);
  });

  it('rejects a Service name that is not a DNS-1035 label and allocates a cluster IP otherwise', async () => {
    const service = (name: string) => ({ metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    const err = await rejection(clients.core.createNamespacedService({ namespace: 'default', body: service('1-web') }));
    expect(statusOf(err).message).toContain('a DNS-1035 label must consist of lower case alphanumeric characters');
    const created = await clients.core.createNamespacedService({ namespace: 'default', body: service('web') });
    expect(created.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('answers an injected 403 with the RBAC message of a real apiserver, then recovers', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/deployments/guarded' }, 403);
    const err = await rejection(apply(clients.objects, deploymentManifest('guarded', 'registry.example/web:1')));
    expect(err.code).toBe(403);
    expect(statusOf(err)).toMatchObject({
      reason: 'Forbidden',
      message:
        'deployments.apps "guarded" is forbidden: User "system:serviceaccount:deploybot:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "default"',
    });
    await expect(apply(clients.objects, deploymentManifest('guarded', 'registry.example/web:1'))).resolves.toBeDefined();
  });

  it('injects 500 and 503 for a given number of requests', async () => {
    fake.failNext({ pathIncludes: '/services' }, 503, 2);
    fake.failNext({ pathIncludes: '/services' }, 500);
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      codes.push(
        await clients.core.listNamespacedService({ namespace: 'default' }).then(
          () => 200,
          (e: { code: number }) => e.code,
        ),
      );
    }
    expect(codes).toEqual([503, 503, 500, 200]);
  });

  it('requires the bearer token', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeConfigYaml().replace(fake.token, 'wrong-token'));
    expect((await rejection(kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'default' }))).code).toBe(401);
    const err = await rejection(KubernetesObjectApi.makeApiClient(kc).list('apps/v1', 'Deployment', 'default'));
    expect(statusOf(err)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('also serves plain http for clients configured with the url and skipTLSVerify', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: fake.token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    const list = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'default' });
    expect(list.items.length).toBeGreaterThan(0);
  });

  it('looks unreachable while unavailable', async () => {
    fake.setUnavailable(true);
    await expect(clients.core.listNamespacedPod({ namespace: 'default' })).rejects.toThrow();
    fake.setUnavailable(false);
    await expect(clients.core.listNamespacedPod({ namespace: 'default' })).resolves.toBeDefined();
  });

  it('serves the Ambassador Mapping custom resource', async () => {
    const mapping = {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'web', namespace: 'default' },
      spec: { hostname: 'web.preview.example.com', prefix: '/', service: 'web:80' },
    };
    await apply(clients.objects, mapping);
    const read = await clients.objects.read({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'web', namespace: 'default' },
    });
    expect(read).toMatchObject({ kind: 'Mapping', spec: { service: 'web:80' } });
    expect(fake.get('Mapping', 'default', 'web')?.spec.prefix).toBe('/');
  });

  it('deletes one object with a Success Status and a collection by label', async () => {
    const status = await clients.apps.deleteNamespacedDeployment({ name: 'twice', namespace: 'default' });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'twice', group: 'apps', kind: 'deployments' } });
    await clients.apps.deleteCollectionNamespacedDeployment({ namespace: 'default', labelSelector: 'group=sel' });
    expect(fake.objects().filter((o) => o.metadata.labels?.group === 'sel')).toEqual([]);
  });
});
