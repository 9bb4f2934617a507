import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually, rejection, statusOf } from './kubernetes-fake.test-support';

const leaseManifest = (name: string): KubernetesObject & { spec: object } => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: 'default' },
  spec: { holderIdentity: 'deployer-7f9c', leaseDurationSeconds: 15 },
});

const KINDS: [string, string, (name: string) => KubernetesObject][] = [
  ['Deployment', 'deployments.apps', (name) => deploymentManifest(name, 'registry.example/web:1')],
  ['Lease', 'leases.coordination.k8s.io', leaseManifest],
];

describe('optimistic concurrency, as the apiserver enforces it', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  const read = (manifest: KubernetesObject) =>
    clients.objects.read(manifest as KubernetesObject & { metadata: { name: string; namespace: string } });

  /** Creates the object, changes it once, and returns the resourceVersion it had before the change. */
  const staleVersion = async (manifest: KubernetesObject): Promise<string> => {
    const created = await clients.objects.create(manifest);
    const edit = { ...manifest, metadata: { ...manifest.metadata, labels: { edited: 'yes' } } };
    await clients.objects.patch(edit, undefined, undefined, 'edit', undefined, PatchStrategy.MergePatch);
    return created.metadata?.resourceVersion ?? '';
  };

  /** The object once the simulated controllers stopped writing to it. */
  const settled = (manifest: KubernetesObject): Promise<KubernetesObject> =>
    eventually(async () => {
      const first = await read(manifest);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (await read(manifest)).metadata?.resourceVersion === first.metadata?.resourceVersion && first;
    });

  describe.each(KINDS)('of a %s', (kind, resource, manifestOf) => {
    const modified = (name: string) =>
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
    const name = (what: string) => `${kind.toLowerCase()}-${what}`;
    const plural = resource.split('.')[0];

    it('refuses a replace carrying a stale resourceVersion with Conflict', async () => {
      const manifest = manifestOf(name('put'));
      const resourceVersion = await staleVersion(manifest);
      const err = await rejection(clients.objects.replace({ ...manifest, metadata: { ...manifest.metadata, resourceVersion } }));
      expect(err.code).toBe(409);
      expect(statusOf(err)).toMatchObject({
        reason: 'Conflict',
        message: modified(name('put')),
        details: { name: name('put'), kind: plural },
      });
    });

    it('refuses a server-side apply carrying a stale resourceVersion with Conflict', async () => {
      const manifest = manifestOf(name('ssa'));
      const resourceVersion = await staleVersion(manifest);
      const err = await rejection(apply(clients.objects, { ...manifest, metadata: { ...manifest.metadata, resourceVersion } }));
      expect(err.code).toBe(409);
      expect(statusOf(err)).toMatchObject({ reason: 'Conflict', message: modified(name('ssa')) });
    });

    it('refuses a merge patch carrying a stale resourceVersion with Conflict', async () => {
      const manifest = manifestOf(name('merge'));
      const resourceVersion = await staleVersion(manifest);
      const patch = { ...manifest, metadata: { ...manifest.metadata, resourceVersion, labels: { again: 'yes' } } };
      const err = await rejection(clients.objects.patch(patch, undefined, undefined, 'edit', undefined, PatchStrategy.MergePatch));
      expect(statusOf(err)).toMatchObject({ code: 409, reason: 'Conflict', message: modified(name('merge')) });
    });

    it('accepts a server-side apply carrying the current resourceVersion', async () => {
      const manifest = manifestOf(name('current'));
      await clients.objects.create(manifest);
      const { metadata } = await settled(manifest);
      const current = {
        ...manifest,
        metadata: { ...manifest.metadata, resourceVersion: metadata?.resourceVersion, labels: { applied: 'yes' } },
      };
      const applied = await apply(clients.objects, current);
      expect(applied.metadata?.labels).toMatchObject({ applied: 'yes' });
    });

    it('refuses a create of an existing name with AlreadyExists', async () => {
      const manifest = manifestOf(name('twice'));
      await clients.objects.create(manifest);
      const err = await rejection(clients.objects.create(manifest));
      expect(statusOf(err)).toMatchObject({ code: 409, reason: 'AlreadyExists', message: `${resource} "${name('twice')}" already exists` });
    });

    it('deletes only while the uid and resourceVersion preconditions hold', async () => {
      const manifest = manifestOf(name('delete'));
      const staleRv = await staleVersion(manifest);
      const { metadata } = await settled(manifest);
      const remove = (preconditions: { uid?: string; resourceVersion?: string }) =>
        clients.objects.delete(manifest, undefined, undefined, undefined, undefined, undefined, { preconditions });
      const key = `/registry/${plural}/default/${name('delete')}`;

      const staleErr = await rejection(remove({ resourceVersion: staleRv }));
      expect(statusOf(staleErr)).toMatchObject({ code: 409, reason: 'Conflict' });
      expect(statusOf(staleErr).message).toBe(
        `Operation cannot be fulfilled on ${resource} "${name('delete')}": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, ` +
          `AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: ${staleRv}, ResourceVersion in object meta: ${metadata?.resourceVersion}`,
      );
      const uidErr = await rejection(remove({ uid: '00000000-0000-0000-0000-000000000000' }));
      expect(statusOf(uidErr).message).toContain(
        `Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: ${metadata?.uid}`,
      );

      await expect(remove({ uid: metadata?.uid, resourceVersion: metadata?.resourceVersion })).resolves.toMatchObject({
        status: 'Success',
      });
    });
  });

  it('requires a resourceVersion on a Lease replace, where a Deployment replace may go without', async () => {
    const lease = leaseManifest('unconditional');
    await clients.objects.create(lease);
    const err = await rejection(clients.objects.replace(lease));
    expect(statusOf(err)).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message:
        'leases.coordination.k8s.io "unconditional" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      details: { name: 'unconditional', group: 'coordination.k8s.io', kind: 'leases' },
    });

    const deployment = deploymentManifest('unconditional', 'registry.example/web:1');
    await clients.objects.create(deployment);
    await expect(clients.objects.replace(deploymentManifest('unconditional', 'registry.example/web:2'))).resolves.toBeDefined();
  });
});
