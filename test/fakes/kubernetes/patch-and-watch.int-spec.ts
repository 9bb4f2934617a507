import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, rejection, statusOf } from './kubernetes-fake.test-support';

describe('Kubernetes API fake: patch types and raw watch semantics', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  const twoContainers = (name: string) => {
    const manifest = deploymentManifest(name, 'registry.example/web:1');
    manifest.spec.template.spec.containers.push({ name: 'sidecar', image: 'registry.example/proxy:1', ports: [] });
    return manifest;
  };
  const patchDeployment = (name: string, body: unknown, strategy: PatchStrategy) =>
    clients.apps.patchNamespacedDeployment({ name, namespace: 'default', body }, setHeaderOptions('Content-Type', strategy));
  const images = (d: V1Deployment) => d.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`);

  it('merges a strategic merge patch into containers by name', async () => {
    await apply(clients.objects, twoContainers('smp'));
    const patched = await patchDeployment(
      'smp',
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/web:2' }] } } } },
      PatchStrategy.StrategicMergePatch,
    );
    expect(images(patched)).toEqual(['app=registry.example/web:2', 'sidecar=registry.example/proxy:1']);
    expect(patched.metadata?.generation).toBe(2);
  });

  it('replaces lists wholesale with a JSON merge patch', async () => {
    await apply(clients.objects, twoContainers('jmp'));
    const patched = await patchDeployment(
      'jmp',
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/web:3' }] } } } },
      PatchStrategy.MergePatch,
    );
    expect(images(patched)).toEqual(['app=registry.example/web:3']);
  });

  it('applies JSON patch operations and fails a failed test operation', async () => {
    await apply(clients.objects, deploymentManifest('jp', 'registry.example/web:1'));
    const patched = await patchDeployment('jp', [{ op: 'replace', path: '/spec/replicas', value: 3 }], PatchStrategy.JsonPatch);
    expect(patched.spec?.replicas).toBe(3);
    const err = await rejection(patchDeployment('jp', [{ op: 'test', path: '/spec/replicas', value: 1 }], PatchStrategy.JsonPatch));
    expect(err.code).toBe(422);
  });

  it('refuses to change the selector of a Deployment', async () => {
    await apply(clients.objects, deploymentManifest('fixed', 'registry.example/web:1'));
    const changed = deploymentManifest('fixed', 'registry.example/web:1');
    changed.spec.selector.matchLabels = { app: 'other' };
    changed.spec.template.metadata.labels = { app: 'other' };
    const err = await rejection(apply(clients.objects, changed));
    expect(statusOf(err).message).toBe(
      'Deployment.apps "fixed" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  const rawWatch = async (query: string): Promise<{ type: string; object: any }[]> => {
    const response = await fetch(`${fake.url}/api/v1/namespaces/default/services?${query}`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text(); // ends when the server closes the stream (timeoutSeconds)
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  };

  it('starts a watch=1 with the current objects as ADDED and closes it after timeoutSeconds', async () => {
    await clients.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'watched' }, spec: { ports: [{ port: 80 }] } },
    });
    const started = Date.now();
    const events = await rawWatch('watch=1&timeoutSeconds=1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'watched']]);
  });

  it('replays changes after a resourceVersion, including deletions', async () => {
    const { metadata } = await clients.core.listNamespacedService({ namespace: 'default' });
    await clients.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'replayed' }, spec: { ports: [{ port: 80 }] } },
    });
    await clients.core.deleteNamespacedService({ name: 'replayed', namespace: 'default' });
    const events = await rawWatch(`watch=true&timeoutSeconds=1&resourceVersion=${metadata?.resourceVersion}`);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'replayed'],
      ['DELETED', 'replayed'],
    ]);
  });

  it('answers a watch from a resourceVersion it no longer has with a 410 Expired ERROR event', async () => {
    const [event] = await rawWatch('watch=true&resourceVersion=1');
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });
});
