import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually } from './kubernetes-fake.test-support';

describe('image digests, as a node reports them in containerStatuses[].imageID', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  const podsOf = async (app: string): Promise<V1Pod[]> =>
    (await clients.core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${app}` })).items;
  const statusOf = (pod: V1Pod): V1ContainerStatus | undefined => pod.status?.containerStatuses?.[0];

  /** The pods of `app` once `count` of them run, with their imageIDs by pod name. */
  const runningImageIds = (app: string, count: number): Promise<Map<string, string>> =>
    eventually(async () => {
      const running = (await podsOf(app)).filter((p) => statusOf(p)?.state?.running);
      return running.length === count && new Map(running.map((p) => [p.metadata?.name ?? '', statusOf(p)?.imageID ?? '']));
    });

  it('fills imageID with the repository and the digest the tag resolved to, and image with the spec image', async () => {
    const image = 'registry.example.com/shop/web:1.4.2';
    await apply(clients.objects, deploymentManifest('digest-web', image));
    const [imageId] = (await runningImageIds('digest-web', 1)).values();

    expect(imageId).toBe(`registry.example.com/shop/web@${fake.registry.digestOf(image)}`);
    expect(imageId).toMatch(/^registry\.example\.com\/shop\/web@sha256:[0-9a-f]{64}$/);
    const [pod] = await podsOf('digest-web');
    expect(statusOf(pod)?.image).toBe(image);
  });

  it('writes Docker Hub short names out in full, as containerd does', async () => {
    await apply(clients.objects, deploymentManifest('digest-hub', 'nginx:1.27'));
    const [imageId] = (await runningImageIds('digest-hub', 1)).values();
    expect(imageId).toBe(`docker.io/library/nginx@${fake.registry.digestOf('nginx:1.27')}`);
  });

  it('gives pods created after the tag moved the new digest and leaves running pods with theirs', async () => {
    const image = 'registry.example.com/shop/moving:1';
    await apply(clients.objects, deploymentManifest('digest-moved', image));
    const [[firstPod, before]] = await runningImageIds('digest-moved', 1);

    const pushed = fake.registry.push(image);
    await clients.apps.patchNamespacedDeployment(
      { name: 'digest-moved', namespace: 'default', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await runningImageIds('digest-moved', 2);

    expect(before).not.toBe(`registry.example.com/shop/moving@${pushed}`);
    expect(after.get(firstPod)).toBe(before);
    const [secondPod] = [...after.keys()].filter((name) => name !== firstPod);
    expect(after.get(secondPod)).toBe(`registry.example.com/shop/moving@${pushed}`);
  });

  it('keeps the digest a container pulled through its restarts after the tag moved (imagePullPolicy IfNotPresent)', async () => {
    await apply(clients.objects, deploymentManifest('digest-crashing', 'registry.example.com/shop/crashing:1'));
    const restartsAndImageId = async (): Promise<[number, string]> => {
      const [pod] = await podsOf('digest-crashing');
      return [statusOf(pod)?.restartCount ?? 0, statusOf(pod)?.imageID ?? ''];
    };
    const [restarts, before] = await eventually(async () => {
      const [count, imageId] = await restartsAndImageId();
      return count >= 1 && imageId !== '' && ([count, imageId] as [number, string]);
    });

    fake.registry.push('registry.example.com/shop/crashing:1');
    const [, after] = await eventually(async () => {
      const [count, imageId] = await restartsAndImageId();
      return count >= restarts + 2 && ([count, imageId] as [number, string]);
    });
    expect(after).toBe(before);
  });

  it('resolves a digest reference to that digest, even when its tag has moved', async () => {
    const digest = `sha256:${'5e'.repeat(32)}`;
    fake.registry.push('registry.example.com/shop/pinned:1');
    await apply(clients.objects, deploymentManifest('digest-pinned', `registry.example.com/shop/pinned:1@${digest}`));
    const [imageId] = (await runningImageIds('digest-pinned', 1)).values();
    expect(imageId).toBe(`registry.example.com/shop/pinned@${digest}`);
  });

  it('leaves imageID empty for a container whose image cannot be pulled', async () => {
    await apply(clients.objects, deploymentManifest('digest-missing', 'registry.example.com/shop/does-not-exist:1'));
    const pod = await eventually(async () => {
      const [candidate] = await podsOf('digest-missing');
      return statusOf(candidate)?.state?.waiting?.reason === 'ImagePullBackOff' && candidate;
    });
    expect(statusOf(pod)).toMatchObject({ image: 'registry.example.com/shop/does-not-exist:1', imageID: '' });
  });
});
