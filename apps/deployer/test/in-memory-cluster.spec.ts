import { describe, expect, it } from '@jest/globals';
import { runningImage } from '../src/rollout/running-image';
import { behavesAsTheCluster } from './cluster.contract';
import { InMemoryCluster } from './in-memory-cluster';

describe('in-memory cluster', () => {
  const cluster = new InMemoryCluster();
  behavesAsTheCluster(() => ({
    cluster,
    get: (kind, namespace, name) => cluster.get(kind, namespace, name),
    failNextCall: (match, status) => cluster.failNext(match, status),
    setUnavailable: (on) => cluster.setUnavailable(on),
    digestOf: (image) => cluster.registry.digestOf(image),
    compact: () => cluster.compact(),
    cutWatches: () => cluster.cutWatches(),
  }));
});

const deployment = (name: string, image: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
  },
});

describe('in-memory cluster: what a test drives', () => {
  it('holds a stalled call until it is released, and records every call with its failure', async () => {
    const cluster = new InMemoryCluster();
    const stall = cluster.stallNext({ verb: 'apply', kind: 'Deployment' });
    const applying = cluster.apply(deployment('web', 'registry.example.org/web:1'));
    expect(await stall.reached).toMatchObject({ verb: 'apply', name: 'web' });
    expect(cluster.get('Deployment', 'default', 'web')).toBeUndefined();
    stall.release();
    await applying;
    cluster.failNext({ verb: 'read' }, 'timeout');
    await expect(cluster.readDeployment('default', 'web')).rejects.toMatchObject({
      retryable: true,
      reason: `cannot reach the cluster at ${cluster.server}: no answer within 10 s (read Deployment web in namespace default)`,
    });
    expect(cluster.calls().map((c) => [c.verb, c.error ?? 'ok'])).toEqual([
      ['apply', 'ok'],
      ['read', expect.stringMatching(/^cannot reach the cluster/)],
    ]);
  });

  it('answers a kind whose CRD is not installed as not served', async () => {
    const cluster = new InMemoryCluster({ unservedKinds: ['Mapping'] });
    await expect(
      cluster.read({ apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name: 'web' }),
    ).rejects.toMatchObject({
      kindNotServed: true,
      reason:
        'the cluster does not serve Mapping (getambassador.io/v3alpha1); is its CustomResourceDefinition installed? (read Mapping web in namespace default)',
    });
  });

  it('keeps old pods until the new template is ready, and runs each image as its behaviour says', async () => {
    const cluster = new InMemoryCluster();
    await cluster.apply(deployment('web', 'registry.example.org/web:1'));
    cluster.setImageBehavior('registry.example.org/web:2', 'never-ready');
    await cluster.apply(deployment('web', 'registry.example.org/web:2'));
    expect(cluster.podsOf('default', 'web').map((p) => p.spec.containers[0].image)).toEqual([
      ...Array(2).fill('registry.example.org/web:1'),
      ...Array(2).fill('registry.example.org/web:2'),
    ]);
    expect((await cluster.readDeployment('default', 'web'))?.status).toMatchObject({
      replicas: 4,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('lets a pod pull a moved tag again, and a rollout stop at its progress deadline', async () => {
    const cluster = new InMemoryCluster();
    const image = 'registry.example.org/web:moving';
    await cluster.apply(deployment('web', image));
    const before = cluster.registry.digestOf(image);
    const after = cluster.registry.push(image);
    cluster.recreatePod('default', cluster.podsOf('default', 'web')[0].metadata.name);
    expect(runningImage(await cluster.listPods('default', 'app=web'), 'app')).toMatchObject({
      status: 'mixed',
      digests: expect.arrayContaining([expect.objectContaining({ digest: before }), expect.objectContaining({ digest: after })]),
    });

    cluster.exceedProgressDeadline('default', 'web');
    expect((await cluster.readDeployment('default', 'web'))?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }),
    );
  });
});
