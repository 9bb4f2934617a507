import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { clientsFor, eventually } from './kubernetes-fake.test-support';

describe('containers whose environment names Secrets and ConfigMaps (the kubelet resolves the references)', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
    await clients.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'db' }, stringData: { password: 'x' } } });
    await clients.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'ui' }, data: { theme: 'dark' } } });
  });
  afterAll(async () => {
    await fake.stop();
  });

  const run = async (name: string, container: object): Promise<V1Pod> => {
    await clients.core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.example/web:1', ...container }] } },
    });
    return eventually(async () => {
      const pod = await clients.core.readNamespacedPod({ namespace: 'default', name });
      const state = pod.status?.containerStatuses?.[0];
      return (state?.ready || state?.state?.waiting?.reason === 'CreateContainerConfigError') && pod;
    });
  };
  const waiting = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.waiting;

  it('starts a container whose references all resolve, or are optional', async () => {
    const pod = await run('resolved', {
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'THEME', valueFrom: { configMapKeyRef: { name: 'ui', key: 'theme' } } },
        { name: 'EXTRA', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
      ],
      envFrom: [{ secretRef: { name: 'db' } }, { configMapRef: { name: 'absent', optional: true } }],
    });
    expect(pod.status?.containerStatuses?.[0].ready).toBe(true);
  });

  it('holds a container in CreateContainerConfigError, in the kubelet’s words, when a Secret or ConfigMap is missing', async () => {
    expect(waiting(await run('no-secret', { envFrom: [{ secretRef: { name: 'shop-secrets' } }] }))).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'secret "shop-secrets" not found',
    });
    const noConfigMap = await run('no-configmap', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'gone', key: 'a' } } }] });
    expect(waiting(noConfigMap)?.message).toBe('configmap "gone" not found');
  });

  it('says which key is missing from which object', async () => {
    const pod = await run('no-key', { env: [{ name: 'USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } }] });
    expect(waiting(pod)).toEqual({ reason: 'CreateContainerConfigError', message: "couldn't find key user in Secret default/db" });
  });
});
