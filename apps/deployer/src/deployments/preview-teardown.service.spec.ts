import { describe, expect, it } from '@jest/globals';
import { PermanentError } from '@app/platform';
import { manifestsOf, order, SEPARATE_PREVIEWS_YAML, teardownOf, UNIT_OPTIONS, unitConfig, until } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import { leaseRef } from '../leases/workload-lease';
import { WorkloadLocks } from '../leases/workload-locks';
import { legacyPreviewName, workloadName } from '../naming/naming';
import { PreviewTeardown } from './preview-teardown.service';

RecordingLogger.install();

const NS = 'default';
const running = () => new AbortController().signal;
const _nameOf = (target: string) => workloadName({ environment: 'preview', project: 'shop', type: 'branch', target });

function teardownOn(cluster: InMemoryCluster, config = unitConfig()): PreviewTeardown {
  return new PreviewTeardown(cluster, config, UNIT_OPTIONS, new WorkloadLocks(cluster, UNIT_OPTIONS.lease));
}

/** Applies what the deployer applies for build `buildId`: a preview of `target`, or production; gives the name. */
async function deployed(cluster: InMemoryCluster, buildId: string, target?: string): Promise<string> {
  const manifests = manifestsOf(order({ buildId, target }));
  for (const object of [manifests.deployment, manifests.service, manifests.route]) await cluster.apply(object);
  return manifests.name;
}

describe('PreviewTeardown', () => {
  it("deletes the build's route, Service and Deployment, in that order, each only at the version it read", async () => {
    const cluster = new InMemoryCluster();
    const name = await deployed(cluster, 'b-close', 'closing');
    await deployed(cluster, 'b-prod');

    const outcome = await teardownOn(cluster).tearDown(teardownOf('b-close', 'closing'), running());
    expect(outcome).toMatchObject({
      id: 'b-close:teardown:1:outcome',
      type: 'PreviewTornDown',
      data: {
        buildId: 'b-close',
        requestId: 'b-close:teardown:1',
        namespace: NS,
        deleted: [`Ingress/${name}`, `Service/${name}`, `Deployment/${name}`],
      },
    });
    for (const kind of ['Ingress', 'Service', 'Deployment']) expect(cluster.get(kind, NS, name)).toBeUndefined();
    expect(cluster.get('Deployment', NS, 'shop')).toBeDefined();
    for (const call of cluster.calls({ verb: 'delete', name }))
      expect(call.precondition).toEqual({ uid: expect.any(String), resourceVersion: expect.any(String) });
    expect(cluster.get('Lease', NS, leaseRef(NS, name).name)).toBeUndefined();
  });

  it('leaves the objects of a newer build of the same branch, which reuses the names', async () => {
    const cluster = new InMemoryCluster();
    const name = await deployed(cluster, 'b-new', 'reused');
    const outcome = await teardownOn(cluster).tearDown(teardownOf('b-old', 'reused'), running());
    expect(outcome.data.deleted).toEqual([]);
    expect(cluster.get('Deployment', NS, name).metadata.annotations['deploybot.dev/build-id']).toBe('b-new');
  });

  it("also deletes what an older version named <project>-<type>-<target>, when it is the build's and deploybot's", async () => {
    const cluster = new InMemoryCluster();
    const legacy = legacyPreviewName({ environment: 'preview', project: 'shop', type: 'branch', target: 'legacy' });
    const { deployment, service } = manifestsOf(order({ buildId: 'b-legacy', target: 'legacy' }));
    await cluster.apply({ ...deployment, metadata: { ...deployment.metadata, name: legacy } });
    await cluster.apply({ ...service, metadata: { ...service.metadata, name: legacy, labels: {} } });

    const outcome = await teardownOn(cluster).tearDown(teardownOf('b-legacy', 'legacy'), running());
    expect(outcome.data.deleted).toEqual([`Deployment/${legacy}`]);
    expect(cluster.get('Service', NS, legacy)).toBeDefined();
  });

  it('reads again when an object changed between its read and its delete, and spares it when a newer build re-applied it', async () => {
    const cluster = new InMemoryCluster();
    const name = await deployed(cluster, 'b-old', 'racing');
    const stall = cluster.stallNext({ verb: 'delete', kind: 'Deployment' });
    const tearingDown = teardownOn(cluster).tearDown(teardownOf('b-old', 'racing'), running());
    await stall.reached;
    await cluster.apply(manifestsOf(order({ buildId: 'b-new', target: 'racing', image: 'registry.example.org/shop:2.0.0' })).deployment);
    stall.release();

    expect((await tearingDown).data.deleted).toEqual([`Ingress/${name}`, `Service/${name}`]);
    expect(cluster.calls({ verb: 'delete', kind: 'Deployment', name }).map((c) => c.error)).toEqual([
      expect.stringMatching(/^Conflict: .*Precondition failed: ResourceVersion/),
    ]);
    expect(cluster.calls({ verb: 'read', kind: 'Deployment', name })).toHaveLength(2);
    expect(cluster.get('Deployment', NS, name).metadata.annotations['deploybot.dev/build-id']).toBe('b-new');
  });

  it('passes over a route kind the cluster does not serve (no Mapping CRD)', async () => {
    const cluster = new InMemoryCluster({ unservedKinds: ['Mapping'] });
    const name = await deployed(cluster, 'b-7', 'plain');
    expect((await teardownOn(cluster).tearDown(teardownOf('b-7', 'plain'), running())).data.deleted).toEqual([
      `Ingress/${name}`,
      `Service/${name}`,
      `Deployment/${name}`,
    ]);
  });

  it('waits for the workload while a deployment holds it, and deletes after', async () => {
    const cluster = new InMemoryCluster();
    const name = await deployed(cluster, 'b-7', 'held');
    const locks = new WorkloadLocks(cluster, { ...UNIT_OPTIONS.lease, renewIntervalMs: 60_000 });
    const held = await locks.acquire(leaseRef(NS, name), { holder: 'deployer-b/b-7:preview' }, Date.now() + 10_000, running());

    const tearingDown = teardownOn(cluster).tearDown(teardownOf('b-7', 'held'), running());
    await until(() => cluster.calls({ verb: 'read', kind: 'Lease' }).length >= 3, 'the teardown to wait');
    expect(cluster.calls({ verb: 'delete', name })).toEqual([]);
    await held.release();
    expect((await tearingDown).data.deleted).toHaveLength(3);
  });

  it("tears a preview down in the project's previewNamespace, holding the Lease there, and leaves production alone", async () => {
    const cluster = new InMemoryCluster();
    const separate = unitConfig({ projectsYaml: SEPARATE_PREVIEWS_YAML });
    const preview = manifestsOf(order({ buildId: 'b-sep', target: 'separate' }), separate);
    expect(preview.namespace).toBe('shop-previews');
    for (const object of [preview.deployment, preview.service, preview.route]) await cluster.apply(object);
    await cluster.apply(manifestsOf(order({ buildId: 'b-sep' }), separate).deployment);

    const outcome = await teardownOn(cluster, separate).tearDown(teardownOf('b-sep', 'separate'), running());
    const name = preview.name;
    expect(outcome.data).toMatchObject({
      namespace: 'shop-previews',
      deleted: [`Ingress/${name}`, `Service/${name}`, `Deployment/${name}`],
    });
    expect(cluster.get('Deployment', 'default', 'shop')).toBeDefined();
    expect(cluster.calls({ verb: 'create', kind: 'Lease' }).map((c) => c.namespace)).toEqual(['shop-previews']);
  });

  it('also removes a preview deployed before the project had a previewNamespace, from its namespace', async () => {
    const cluster = new InMemoryCluster();
    const name = await deployed(cluster, 'b-moved', 'moved');
    const outcome = await teardownOn(cluster, unitConfig({ projectsYaml: SEPARATE_PREVIEWS_YAML })).tearDown(
      teardownOf('b-moved', 'moved'),
      running(),
    );
    expect(outcome.data).toMatchObject({
      namespace: 'shop-previews',
      deleted: [`default/Ingress/${name}`, `default/Service/${name}`, `default/Deployment/${name}`],
    });
  });

  it('dead-letters a teardown for a project it does not know', async () => {
    const request = {
      ...teardownOf('b-7', 'main'),
      identity: { environment: 'preview' as const, project: 'unknown', type: 'branch' as const, target: 'main' },
    };
    await expect(teardownOn(new InMemoryCluster()).tearDown(request, running())).rejects.toThrow(PermanentError);
  });
});
