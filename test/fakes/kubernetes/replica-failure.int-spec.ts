import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Deployment, V1DeploymentCondition, V1ReplicaSet } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually, rejection, statusOf } from './kubernetes-fake.test-support';

/** A pod template that passes the restricted Pod Security Standard. */
const restrictedPod = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'registry.example/web:1',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
};

describe('pods the API refuses: ReplicaFailure, as the ReplicaSet and Deployment controllers report it', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
    await clients.core.createNamespace({
      body: { metadata: { name: 'locked-down', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    });
    await clients.core.createNamespace({ body: { metadata: { name: 'small' } } });
  });
  afterAll(async () => {
    await fake.stop();
  });

  const deploymentIn = (namespace: string, name: string, options: { replicas?: number; pod?: object } = {}) => {
    const manifest = deploymentManifest(name, 'registry.example/web:1', { replicas: options.replicas });
    return {
      ...manifest,
      metadata: { ...manifest.metadata, namespace },
      spec: { ...manifest.spec, template: { ...manifest.spec.template, ...(options.pod ? { spec: options.pod } : {}) } },
    };
  };
  const read = (namespace: string, name: string): Promise<V1Deployment> => clients.apps.readNamespacedDeployment({ namespace, name });
  const replicaFailure = (d: V1Deployment): V1DeploymentCondition | undefined =>
    d.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const replicaSetsOf = async (namespace: string, app: string): Promise<V1ReplicaSet[]> =>
    (await clients.apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${app}` })).items;
  const podCount = async (namespace: string, app: string) =>
    (await clients.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items.length;

  it('refuses pods that break the level the namespace enforces: the ReplicaSet says FailedCreate, the Deployment copies it', async () => {
    await apply(clients.objects, deploymentIn('locked-down', 'rooted'));
    const failure = await eventually(async () => replicaFailure(await read('locked-down', 'rooted')));
    const [rs] = await replicaSetsOf('locked-down', 'rooted');
    const message =
      `pods "${rs.metadata?.name}-" is forbidden: violates PodSecurity "restricted:latest": ` +
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate', message });
    expect(failure.lastTransitionTime).toBeInstanceOf(Date);
    expect(rs.status?.conditions).toEqual([
      expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message }),
    ]);
    expect(await podCount('locked-down', 'rooted')).toBe(0);
  });

  it('runs pods that keep the rules, without a ReplicaFailure', async () => {
    await apply(clients.objects, deploymentIn('locked-down', 'compliant', { pod: restrictedPod }));
    const done = await eventually(async () => {
      const d = await read('locked-down', 'compliant');
      return d.status?.availableReplicas === 1 && d;
    });
    expect(replicaFailure(done)).toBeUndefined();
  });

  it('keeps the old ReplicaSet’s failure, first message and time, while the fixed template rolls out; clears it once done', async () => {
    await apply(clients.objects, deploymentIn('locked-down', 'fixed'));
    const first = await eventually(async () => replicaFailure(await read('locked-down', 'fixed')));

    fake.setImageBehavior('registry.example/slow:1', 'never-ready');
    const slow = { ...restrictedPod, containers: [{ ...restrictedPod.containers[0], image: 'registry.example/slow:1' }] };
    await apply(clients.objects, deploymentIn('locked-down', 'fixed', { pod: slow }));
    const rolling = await eventually(async () => {
      const d = await read('locked-down', 'fixed');
      return d.status?.observedGeneration === 2 && d.status.updatedReplicas === 1 && d;
    });
    expect(replicaFailure(rolling)).toEqual(first);

    await apply(clients.objects, deploymentIn('locked-down', 'fixed', { pod: restrictedPod }));
    const done = await eventually(async () => {
      const d = await read('locked-down', 'fixed');
      return d.status?.observedGeneration === 3 && d.status.availableReplicas === 1 && d.status.replicas === 1 && d;
    });
    expect(replicaFailure(done)).toBeUndefined();
  });

  it('refuses pods over a ResourceQuota’s pods, counting the ones running, and creates them once the quota is lifted', async () => {
    await clients.core.createNamespacedResourceQuota({
      namespace: 'small',
      body: { metadata: { name: 'compute-resources' }, spec: { hard: { pods: '1' } } },
    });
    await apply(clients.objects, deploymentIn('small', 'wide', { replicas: 3 }));
    const failure = await eventually(async () => replicaFailure(await read('small', 'wide')));
    const [rs] = await replicaSetsOf('small', 'wide');
    expect(failure).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: `pods "${rs.metadata?.name}-" is forbidden: exceeded quota: compute-resources, requested: pods=1, used: pods=1, limited: pods=1`,
    });
    expect(await podCount('small', 'wide')).toBe(1);

    await clients.core.deleteNamespacedResourceQuota({ namespace: 'small', name: 'compute-resources' });
    const done = await eventually(async () => {
      const d = await read('small', 'wide');
      return d.status?.availableReplicas === 3 && d;
    });
    expect(replicaFailure(done)).toBeUndefined();
    expect((await replicaSetsOf('small', 'wide'))[0].status?.conditions ?? []).toEqual([]);
  });

  it('answers a pod created directly with 403 Forbidden and the same words', async () => {
    const error = await rejection(
      clients.core.createNamespacedPod({
        namespace: 'locked-down',
        body: { metadata: { name: 'direct' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      }),
    );
    expect(error.code).toBe(403);
    expect(statusOf(error)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message: expect.stringMatching(
        /^pods "direct" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
      ),
    });
  });
});
