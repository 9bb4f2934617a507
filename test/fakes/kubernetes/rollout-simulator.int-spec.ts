import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1ContainerStatus, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually, watchUntil } from './kubernetes-fake.test-support';

describe('rollout simulation', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    // 300 ms to Ready becomes 3 ms; a 100 s progress deadline becomes 1 s; crash back-offs 100 ms, 200 ms…
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  const podsOf = async (app: string): Promise<V1Pod[]> =>
    (await clients.core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${app}` })).items;
  const waitingReasons = (pods: V1Pod[]): (string | undefined)[] =>
    pods.map((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason);
  const progressing = (d: V1Deployment) => d.status?.conditions?.find((c) => c.type === 'Progressing');
  const readDeployment = (name: string) => clients.apps.readNamespacedDeployment({ name, namespace: 'default' });

  it('streams MODIFIED events through a good rollout until the new ReplicaSet is available', async () => {
    const before = (await clients.apps.listNamespacedDeployment({ namespace: 'default' })).metadata?.resourceVersion ?? '';
    await apply(clients.objects, deploymentManifest('good', 'registry.example/web:1', { replicas: 2 }));
    const events = await watchUntil<V1Deployment>(
      clients.kc,
      '/apis/apps/v1/namespaces/default/deployments',
      { fieldSelector: 'metadata.name=good', resourceVersion: before },
      (e) => progressing(e.object)?.reason === 'NewReplicaSetAvailable',
    );

    expect(events[0].type).toBe('ADDED');
    expect(events.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true);
    const last = events[events.length - 1].object;
    expect(last.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(last.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);

    const [rs] = (await clients.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=good' })).items;
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(rs.metadata?.name).toBe(`good-${hash}`);
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'good', controller: true });
    const pods = await podsOf('good');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^good-${hash}-[a-z0-9]{5}$`));
      expect(pod.metadata?.labels).toMatchObject({ app: 'good', 'pod-template-hash': hash });
      expect(pod.status).toMatchObject({ phase: 'Running' });
    }
  });

  it('replaces the pods of the old template once the new ones are ready', async () => {
    await apply(clients.objects, deploymentManifest('upgrade', 'registry.example/web:1'));
    await eventually(async () => progressing(await readDeployment('upgrade'))?.reason === 'NewReplicaSetAvailable');
    await apply(clients.objects, deploymentManifest('upgrade', 'registry.example/web:2'));

    const done = await eventually(async () => {
      const d = await readDeployment('upgrade');
      return d.status?.observedGeneration === 2 && progressing(d)?.reason === 'NewReplicaSetAvailable' && d;
    });
    expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const replicaSets = (await clients.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=upgrade' })).items;
    expect(replicaSets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 1]);
    const pods = await eventually(async () => {
      const current = await podsOf('upgrade');
      return current.length === 1 && current;
    });
    expect(pods[0].spec?.containers[0].image).toBe('registry.example/web:2');
  });

  it('leaves pods of an image that does not exist in ErrImagePull, then ImagePullBackOff', async () => {
    const before = (await clients.core.listNamespacedPod({ namespace: 'default' })).metadata?.resourceVersion ?? '';
    await apply(clients.objects, deploymentManifest('pull', 'registry.example/does-not-exist:1'));
    const events = await watchUntil<V1Pod>(
      clients.kc,
      '/api/v1/namespaces/default/pods',
      { labelSelector: 'app=pull', resourceVersion: before },
      (e) => waitingReasons([e.object])[0] === 'ImagePullBackOff',
    );
    expect(events.map((e) => waitingReasons([e.object])[0])).toEqual([undefined, 'ContainerCreating', 'ErrImagePull', 'ImagePullBackOff']);
    const pod = events[events.length - 1].object;
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toBe('Back-off pulling image "registry.example/does-not-exist:1"');
    expect(pod.status?.phase).toBe('Pending');
  });

  it('restarts crashing containers in CrashLoopBackOff with a growing restart count', async () => {
    await apply(clients.objects, deploymentManifest('crashy', 'registry.example/crash-on-start:1'));
    const [pod] = await eventually(async () => {
      const current = await podsOf('crashy');
      return (current[0]?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && current;
    });
    const container = pod.status?.containerStatuses?.[0] as V1ContainerStatus;
    expect(container.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(container.state?.waiting?.message).toMatch(
      new RegExp(`^back-off \\d+s restarting failed container=app pod=${pod.metadata?.name}_default\\(`),
    );
    expect(container.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(pod.status?.phase).toBe('Running');
  });

  it('reports CreateContainerConfigError for a badconfig image', async () => {
    await apply(clients.objects, deploymentManifest('config', 'registry.example/badconfig:1'));
    await eventually(async () => waitingReasons(await podsOf('config'))[0] === 'CreateContainerConfigError');
  });

  it('reports InvalidImageName for a reference that cannot be parsed', async () => {
    await apply(clients.objects, deploymentManifest('badref', 'registry.example/Web:1'));
    const [pod] = await eventually(async () => {
      const current = await podsOf('badref');
      return waitingReasons(current)[0] === 'InvalidImageName' && current;
    });
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toBe(
      'Failed to apply default image tag "registry.example/Web:1": couldn\'t parse image name "registry.example/Web:1": invalid reference format',
    );
  });

  it('marks the rollout ProgressDeadlineExceeded when pods never become ready', async () => {
    fake.setImageBehavior('registry.example/slow', 'never-ready');
    const started = Date.now();
    await apply(clients.objects, deploymentManifest('stuck', 'registry.example/slow:1', { progressDeadlineSeconds: 100 }));
    const d = await eventually(async () => {
      const current = await readDeployment('stuck');
      return progressing(current)?.reason === 'ProgressDeadlineExceeded' && current;
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(progressing(d)).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/),
    });
    const [pod] = await podsOf('stuck');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, state: { running: expect.anything() } });
  });

  it('deletes the ReplicaSets and Pods of a deleted Deployment', async () => {
    await apply(clients.objects, deploymentManifest('doomed', 'registry.example/web:1', { replicas: 2 }));
    await eventually(async () => (await podsOf('doomed')).length === 2);
    await clients.apps.deleteNamespacedDeployment({ name: 'doomed', namespace: 'default' });
    await eventually(() => !fake.objects().some((o) => o.metadata.labels?.app === 'doomed'));
  });
});
