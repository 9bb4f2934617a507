import { describe, expect, it } from '@jest/globals';
import { Interrupted } from '@app/platform';
import { manifestsOf, order, UNIT_OPTIONS, unitConfig, until } from '../../test/deployer-fixtures';
import { InMemoryCluster } from '../../test/in-memory-cluster';
import { RecordingLogger } from '../../test/recording-logger';
import { WorkloadLocks } from '../leases/workload-locks';
import { workloadName } from '../naming/naming';
import { WorkloadDeployer } from './workload-deployer.service';

RecordingLogger.install();

const NS = 'default';
const IMAGE = 'registry.example.org/shop:7';
const SLOW = 'registry.example.org/shop:never-ready';
const T = Date.now();

/** A cluster and a deployer replica on it (`instanceId` tells replicas apart in lease holders). */
function deployerOn(cluster: InMemoryCluster, config = unitConfig(), instanceId = 'deployer-a'): WorkloadDeployer {
  const options = { ...UNIT_OPTIONS, instanceId };
  return new WorkloadDeployer(cluster, config, options, new WorkloadLocks(cluster, options.lease));
}

const running = () => new AbortController().signal;
const nameOf = (target: string) => workloadName({ environment: 'preview', project: 'shop', type: 'branch', target });

describe('WorkloadDeployer', () => {
  it('applies the Deployment, Service and route under the workload lease, and reports the digest the ready pods run', async () => {
    const cluster = new InMemoryCluster();
    const request = order({ buildId: 'b-7', target: 'main', image: IMAGE });
    const outcome = await deployerOn(cluster).deploy(request, running());

    const name = nameOf('main');
    const digest = cluster.registry.digestOf(IMAGE);
    expect(outcome).toMatchObject({
      id: 'b-7:preview:outcome',
      type: 'DeploymentSucceeded',
      data: {
        buildId: 'b-7',
        requestId: 'b-7:preview',
        environment: 'preview',
        url: 'https://main.branch.example.org',
        namespace: NS,
        name,
        digest,
        imageId: `registry.example.org/shop@${digest}`,
      },
    });
    expect(cluster.calls({ verb: 'apply' }).map((c) => c.kind)).toEqual(['Deployment', 'Service', 'Ingress']);
    const steps = cluster.calls().map((c) => `${c.verb} ${c.kind ?? ''}`);
    expect(steps.indexOf('create Lease')).toBeLessThan(steps.indexOf('apply Deployment'));
    expect(steps.lastIndexOf('delete Lease')).toBeGreaterThan(steps.lastIndexOf('list Pod'));
    expect(cluster.get('Lease', NS, `deploybot-${name}`)).toBeUndefined();
  });

  it('applies a redelivered request again at the read resourceVersion, without a new rollout, and reports the same outcome', async () => {
    const cluster = new InMemoryCluster();
    const deployer = deployerOn(cluster);
    const request = order({ buildId: 'b-7', target: 'again', image: IMAGE });
    const first = await deployer.deploy(request, running());
    const before = cluster.get('Deployment', NS, nameOf('again'));

    const second = await deployer.deploy(request, running());
    expect(second).toMatchObject({ id: first.id, type: 'DeploymentSucceeded' });
    expect(cluster.calls({ verb: 'apply', kind: 'Deployment' })[1].guard).toBe(before.metadata.resourceVersion);
    expect(cluster.get('Deployment', NS, nameOf('again')).metadata.generation).toBe(before.metadata.generation);
  });

  it('does not roll a newer request back: a late older request is superseded and applies nothing', async () => {
    const cluster = new InMemoryCluster();
    const deployer = deployerOn(cluster);
    await deployer.deploy(order({ buildId: 'b-8', target: 'late', image: 'registry.example.org/shop:8', requestedAt: T }), running());
    cluster.clearCalls();

    const outcome = await deployer.deploy(
      order({ buildId: 'b-7', target: 'late', image: IMAGE, requestedAt: T - 60_000, deadline: Date.now() + 60_000 }),
      running(),
    );
    expect(outcome).toMatchObject({
      type: 'DeploymentFailed',
      data: { superseded: true, reason: `superseded: default/${nameOf('late')} now runs build b-8, requested later` },
    });
    expect(cluster.calls({ verb: 'apply' })).toEqual([]);
    expect(cluster.get('Deployment', NS, nameOf('late')).spec.template.spec.containers[0].image).toBe('registry.example.org/shop:8');
  });

  it('reads again and decides again when the Deployment changed between its read and its guarded apply', async () => {
    const cluster = new InMemoryCluster();
    const older = order({ buildId: 'b-7', target: 'race', image: IMAGE, requestedAt: T - 1_000 });
    const newer = order({ buildId: 'b-8', target: 'race', image: 'registry.example.org/shop:8', requestedAt: T });
    // A redelivery: the Deployment is already there, so the apply is guarded by its resourceVersion.
    await cluster.apply(manifestsOf(older).deployment);
    const stall = cluster.stallNext({ verb: 'apply', kind: 'Deployment' });
    const deploying = deployerOn(cluster).deploy(older, running());
    await stall.reached;
    // A deployer that lost the lease without noticing writes the newer request in between.
    await cluster.apply(manifestsOf(newer).deployment);
    stall.release();

    expect(await deploying).toMatchObject({
      type: 'DeploymentFailed',
      data: { superseded: true, reason: `superseded: default/${nameOf('race')} now runs build b-8, requested later` },
    });
    const applies = cluster.calls({ verb: 'apply', kind: 'Deployment' });
    expect(applies.map((c) => c.error ?? 'ok')).toEqual([
      'ok',
      expect.stringMatching(/^Conflict: Operation cannot be fulfilled on deployments\.apps/),
      'ok',
    ]);
    expect(cluster.calls({ verb: 'read', kind: 'Deployment' })).toHaveLength(2);
    expect(cluster.get('Deployment', NS, nameOf('race')).spec.template.metadata.annotations['deploybot.dev/request-id']).toBe(
      'b-8:preview',
    );
  });

  it('checks that it still holds the lease while it reads the Deployment, not after, and then applies', async () => {
    const cluster = new InMemoryCluster();
    const read = cluster.stallNext({ verb: 'read', kind: 'Deployment' });
    const deploying = deployerOn(cluster).deploy(order({ buildId: 'b-7', target: 'together', image: IMAGE }), running());
    await read.reached;
    // The lease's check (a renewal) goes out while the read is still unanswered: one round trip for both.
    await until(() => cluster.calls({ verb: 'patch', kind: 'Lease' }).length === 1, 'the lease checked during the read');
    expect(cluster.calls({ verb: 'apply' })).toEqual([]);
    read.release();

    expect(await deploying).toMatchObject({ type: 'DeploymentSucceeded' });
    const steps = cluster.calls().map((c) => `${c.verb} ${c.kind}`);
    expect(steps.slice(0, 4)).toEqual(['create Lease', 'read Deployment', 'patch Lease', 'apply Deployment']);
  });

  it('gives the workload up as soon as a later request waits for it; the later one deploys next', async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(SLOW, 'never-ready');
    const first = deployerOn(cluster, unitConfig(), 'deployer-a').deploy(
      order({ buildId: 'b-1', target: 'busy', image: SLOW, requestedAt: T - 1_000 }),
      running(),
    );
    await until(() => cluster.get('Deployment', NS, nameOf('busy')), 'the first rollout');

    const second = deployerOn(cluster, unitConfig(), 'deployer-b').deploy(
      order({ buildId: 'b-2', target: 'busy', image: IMAGE, requestedAt: T }),
      running(),
    );
    expect(await first).toMatchObject({
      type: 'DeploymentFailed',
      data: { superseded: true, reason: `superseded: build b-2 was requested later for default/${nameOf('busy')} and deploys next` },
    });
    expect(await second).toMatchObject({ type: 'DeploymentSucceeded', data: { buildId: 'b-2' } });
  });

  it('fails a request whose deadline passed before it arrived, without touching the cluster', async () => {
    const cluster = new InMemoryCluster();
    const outcome = await deployerOn(cluster).deploy(
      order({ buildId: 'b-7', target: 'expired', requestedAt: T - 10_000, deadline: T - 5_000 }),
      running(),
    );
    expect(outcome).toMatchObject({
      type: 'DeploymentFailed',
      data: {
        namespace: NS,
        name: nameOf('expired'),
        reason: expect.stringMatching(
          /^the rollout deadline passed before the deployer could finish: the deadline was .+Z and the request reached the deployer at .+Z; nothing was applied$/,
        ),
      },
    });
    expect(outcome.data).not.toHaveProperty('superseded');
    expect(cluster.calls()).toEqual([]);
  });

  it('fails at the rollout deadline while pods never get ready, and gives the workload back', async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(SLOW, 'never-ready');
    const outcome = await deployerOn(cluster).deploy(
      order({ buildId: 'b-7', target: 'slow', image: SLOW, deadline: Date.now() + 30 }),
      running(),
    );
    expect(outcome.data).toMatchObject({
      reason: expect.stringMatching(/^RolloutTimeout: not finished after \d+ s \(0 of 2 updated replicas are available\)$/),
    });
    expect(cluster.get('Lease', NS, `deploybot-${nameOf('slow')}`)).toBeUndefined();
  });

  it('reports pods that cannot pull their image, or crash, with the pod and container', async () => {
    const cluster = new InMemoryCluster();
    const deployer = deployerOn(cluster);
    const missing = await deployer.deploy(
      order({ buildId: 'b-1', target: 'missing', image: 'registry.example.org/shop:does-not-exist' }),
      running(),
    );
    expect(missing.data).toMatchObject({
      reason: expect.stringMatching(
        /^ImagePullBackOff: Back-off pulling image "registry\.example\.org\/shop:does-not-exist" \(pod shop-branch-missing--\w+-\w+-\w+, container app\)$/,
      ),
    });
    const crash = await deployer.deploy(order({ buildId: 'b-2', target: 'crash', image: 'registry.example.org/shop:crash' }), running());
    expect(crash.data).toMatchObject({ reason: expect.stringMatching(/^CrashLoopBackOff: .*container app, last exit code 1\)$/) });
  });

  it('fails naming both digests when the tag moved during the rollout', async () => {
    const cluster = new InMemoryCluster();
    const image = 'registry.example.org/shop:moving';
    const name = nameOf('moving');
    const look = cluster.stallNext({ verb: 'list' });
    const deploying = deployerOn(cluster).deploy(order({ buildId: 'b-7', target: 'moving', image }), running());
    await look.reached;
    const before = cluster.registry.digestOf(image);
    const after = cluster.registry.push(image);
    cluster.recreatePod(NS, cluster.podsOf(NS, name)[1].metadata.name);
    look.release();

    const outcome = await deploying;
    const reason = new RegExp(
      `^the image tag moved during the rollout: ready pods of default/${name} run ${before} \\(pod ${name}-\\S+\\) and ${after} \\(pod ${name}-\\S+\\); deploy again`,
    );
    expect(outcome).toMatchObject({ type: 'DeploymentFailed', data: { reason: expect.stringMatching(reason) } });
    expect(outcome.data).not.toHaveProperty('superseded');
  });

  it('reports what the Kubernetes API refused, and gives the workload back', async () => {
    const cluster = new InMemoryCluster();
    cluster.failNext({ verb: 'apply', kind: 'Service' }, 403);
    const outcome = await deployerOn(cluster).deploy(order({ buildId: 'b-7', target: 'denied', image: IMAGE }), running());
    expect(outcome.data).toMatchObject({
      reason: expect.stringMatching(
        /^Forbidden: the deployer may not apply Service shop-branch-denied--\w+ in namespace default: .*cannot patch resource "services"/,
      ),
    });
    expect(cluster.get('Lease', NS, `deploybot-${nameOf('denied')}`)).toBeUndefined();
  });

  it('stops with Interrupted at shutdown and gives the workload back, so the redelivery need not wait', async () => {
    const cluster = new InMemoryCluster();
    cluster.setImageBehavior(SLOW, 'never-ready');
    const shutdown = new AbortController();
    const deploying = deployerOn(cluster).deploy(order({ buildId: 'b-7', target: 'stopping', image: SLOW }), shutdown.signal);
    await until(() => cluster.get('Deployment', NS, nameOf('stopping')), 'the rollout');
    shutdown.abort(new Interrupted());
    await expect(deploying).rejects.toBeInstanceOf(Interrupted);
    expect(cluster.get('Lease', NS, `deploybot-${nameOf('stopping')}`)).toBeUndefined();
  });

  it('fails a request for a project it does not know, saying where projects come from', async () => {
    const request = {
      ...order({ buildId: 'b-7', target: 'main' }),
      identity: { environment: 'preview' as const, project: 'unknown', type: 'branch' as const, target: 'main' },
    };
    const outcome = await deployerOn(new InMemoryCluster()).deploy(request, running());
    expect(outcome.data).toMatchObject({ reason: `project "unknown" is not in the deployer's projects file (DEPLOYBOT_CONFIG)` });
  });
});
