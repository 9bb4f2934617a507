import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventEnvelope } from '@app/contracts';
import { createTestNats } from '../../../test/infra/test-infra';
import { KubernetesFake, startKubernetesFake } from '../../../test/fakes/kubernetes';
import { clientsFor } from '../../../test/fakes/kubernetes/kubernetes-fake.test-support';
import { microTime } from '../src/leases/workload-lease';
import { DeployerTestOptions, EventsPublisher, previewName, previewRequested, startDeployer } from './deployer-harness';
import { testConfig } from './deployer-fixtures';
import { eventually, inputsStream, kubeconfigFor } from './deployer-test-support';

jest.setTimeout(40_000);

const SLOW = 'registry.example.org/shop:slow';

/** Everything a test started, stopped in reverse order however the test ended. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fakeCluster(): Promise<KubernetesFake> {
  const fake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs: 200 });
  cleanups.push(() => fake.stop());
  fake.setImageBehavior(SLOW, 'ready', { readyAfterMs: 1_500 });
  return fake;
}

/**
 * One deployer replica with its own NATS prefix (so a request published to it reaches it and no
 * other replica), all replicas sharing one Kubernetes fake.
 */
async function replica(fake: KubernetesFake, options: DeployerTestOptions & { timeoutSeconds?: number } = {}) {
  const nats = await createTestNats();
  cleanups.push(() => nats.cleanup());
  const kubeconfig = kubeconfigFor(fake);
  cleanups.push(() => kubeconfig.remove());
  const events = new EventsPublisher(nats);
  cleanups.push(() => events.close());
  const config = testConfig({
    kubeconfig: kubeconfig.path,
    natsUrl: nats.url,
    prefix: nats.prefix,
    timeoutSeconds: options.timeoutSeconds ?? 20,
    failFastSeconds: 5,
  });
  const app: INestApplication = await startDeployer(config, nats, options);
  cleanups.push(() => app.close());
  const outcomeOf = async (requestId: string, timeoutMs = 20_000) =>
    (await eventually(
      async () => (await inputsStream(nats.url, nats.prefix)).find((e) => (e.data as { requestId?: string }).requestId === requestId),
      timeoutMs,
      `the outcome of ${requestId}`,
    )) as EventEnvelope<string, Record<string, any>>;
  return { events, outcomeOf };
}

/** The request ids of the Deployment applies the fake received for `name`, in order. */
const appliedRequests = (fake: KubernetesFake, name: string): string[] =>
  fake
    .requests()
    .filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`))
    .map((r) => (r.body as KubernetesObject & { spec: any }).spec.template.metadata.annotations['deploybot.dev/request-id']);

describe('deployer: one request per workload at a time, across replicas', () => {
  it('runs two requests for one preview one after the other: the later one ends up running, the other is superseded', async () => {
    const fake = await fakeCluster();
    const [a, b] = await Promise.all([replica(fake, { instanceId: 'deployer-a' }), replica(fake, { instanceId: 'deployer-b' })]);
    const at = Date.now();
    const earlier = previewRequested({ buildId: 'b-1', target: 'race', image: SLOW, attemptId: 'b-1:preview', occurredAt: new Date(at) });
    const later = previewRequested({
      buildId: 'b-2',
      target: 'race',
      image: 'registry.example.org/shop:2.0.0',
      attemptId: 'b-2:preview',
      occurredAt: new Date(at + 1),
    });

    await Promise.all([a.events.publish(earlier), b.events.publish(later)]);
    const [lost, won] = await Promise.all([a.outcomeOf('b-1:preview'), b.outcomeOf('b-2:preview')]);

    expect(won).toMatchObject({ type: 'DeploymentSucceeded', data: { buildId: 'b-2' } });
    expect(lost).toMatchObject({ type: 'DeploymentFailed', data: { superseded: true, reason: expect.stringMatching(/^superseded: /) } });
    const name = previewName('race');
    expect(fake.get('Deployment', 'default', name).spec.template.metadata.annotations['deploybot.dev/request-id']).toBe('b-2:preview');
    // Never interleaved: whatever b-1 applied came before b-2's first apply, and nothing of b-1 after it.
    const applies = appliedRequests(fake, name);
    expect(applies.slice(applies.indexOf('b-2:preview'))).toEqual(applies.slice(applies.indexOf('b-2:preview')).map(() => 'b-2:preview'));
  });

  it('breaks a tie of two requests made in the same millisecond the same way on both replicas', async () => {
    const fake = await fakeCluster();
    const [a, b] = await Promise.all([replica(fake, { instanceId: 'deployer-a' }), replica(fake, { instanceId: 'deployer-b' })]);
    const at = new Date();
    const one = previewRequested({ buildId: 'b-x', target: 'tie', image: SLOW, attemptId: 'b-x:preview', occurredAt: at });
    const other = previewRequested({ buildId: 'b-y', target: 'tie', image: SLOW, attemptId: 'b-y:preview', occurredAt: at });

    await Promise.all([a.events.publish(one), b.events.publish(other)]);
    const outcomes = await Promise.all([a.outcomeOf('b-x:preview'), b.outcomeOf('b-y:preview')]);

    // The larger request id counts as the later one.
    expect(outcomes.map((o) => o.type)).toEqual(['DeploymentFailed', 'DeploymentSucceeded']);
    expect(outcomes[0].data.superseded).toBe(true);
  });

  it('gives up a rollout as soon as a later request waits for the workload', async () => {
    const fake = await fakeCluster();
    fake.setImageBehavior('registry.example.org/shop:very-slow', 'ready', { readyAfterMs: 15_000 });
    const [a, b] = await Promise.all([replica(fake, { instanceId: 'deployer-a' }), replica(fake, { instanceId: 'deployer-b' })]);
    const first = previewRequested({
      buildId: 'b-1',
      target: 'busy',
      image: 'registry.example.org/shop:very-slow',
      attemptId: 'b-1:preview',
    });
    await a.events.publish(first);
    await eventually(() => fake.get('Deployment', 'default', previewName('busy')), 10_000, 'the first Deployment');

    const started = Date.now();
    await b.events.publish(
      previewRequested({ buildId: 'b-2', target: 'busy', image: 'registry.example.org/shop:2.0.0', attemptId: 'b-2:preview' }),
    );
    expect(await a.outcomeOf('b-1:preview')).toMatchObject({
      type: 'DeploymentFailed',
      data: { superseded: true, reason: `superseded: build b-2 was requested later for default/${previewName('busy')} and deploys next` },
    });
    expect(await b.outcomeOf('b-2:preview')).toMatchObject({ type: 'DeploymentSucceeded' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('takes over the lease of a stopped holder once it expired, and not before', async () => {
    const fake = await fakeCluster();
    const a = await replica(fake, { instanceId: 'deployer-a' });
    const name = previewName('stale');
    const { objects } = clientsFor(fake);
    const stoppedAt = Date.now();
    await objects.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: `deploybot-${name}`, namespace: 'default' },
      spec: {
        holderIdentity: 'deployer-stopped/b-0:preview',
        leaseDurationSeconds: 3,
        acquireTime: microTime(stoppedAt),
        renewTime: microTime(stoppedAt),
      },
    } as KubernetesObject);

    await a.events.publish(
      previewRequested({ buildId: 'b-1', target: 'stale', image: 'registry.example.org/shop:1.0.0', attemptId: 'b-1:preview' }),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(fake.get('Deployment', 'default', name)).toBeUndefined();

    const outcome = await a.outcomeOf('b-1:preview');
    expect(outcome).toMatchObject({ type: 'DeploymentSucceeded' });
    const leaseRequests = fake.requests().filter((r) => r.path.endsWith(`/leases/deploybot-${name}`));
    // While it waited, it marked itself as the next request — a merge patch at the lease's
    // resourceVersion, which never creates a lease that is gone —; then it replaced the expired lease.
    const mark = leaseRequests.find((r) => r.method === 'PATCH');
    expect(mark?.contentType).toBe('application/merge-patch+json');
    expect(mark?.body).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: `deploybot-${name}`,
        namespace: 'default',
        resourceVersion: expect.any(String),
        annotations: {
          'deploybot.dev/next-request-id': 'b-1:preview',
          'deploybot.dev/next-requested-at': expect.any(String),
          'deploybot.dev/next-build-id': 'b-1',
        },
      },
    });
    const leaseWrites = leaseRequests
      .filter((r) => r.method === 'PUT')
      .map((r) => r.body as { spec: { holderIdentity?: string; leaseTransitions?: number } });
    expect(leaseWrites.find((w) => w.spec.holderIdentity === 'deployer-a/b-1:preview')?.spec.leaseTransitions).toBe(1);
    expect(Date.parse(outcome.occurredAt) - stoppedAt).toBeGreaterThanOrEqual(3_000);
  });

  it('checks it still holds the lease before reporting success (a holder paused past its lease must not)', async () => {
    const fake = await fakeCluster();
    // Renewals too rare to notice anything during the test: only the checks before applying and reporting can.
    const a = await replica(fake, { instanceId: 'deployer-a', lease: { durationSeconds: 30, renewIntervalMs: 60_000 } });
    const name = previewName('paused');
    await a.events.publish(previewRequested({ buildId: 'b-1', target: 'paused', image: SLOW, attemptId: 'b-1:preview' }));
    await eventually(() => fake.get('Deployment', 'default', name), 10_000, 'the Deployment');

    // What another replica does once this one's lease expired while it was stopped: take it over.
    const { objects } = clientsFor(fake);
    const lease = fake.get('Lease', 'default', `deploybot-${name}`);
    const takenAt = Date.now();
    await objects.replace({
      ...lease,
      spec: { ...lease.spec, holderIdentity: 'deployer-b/b-1:preview', leaseDurationSeconds: 3, renewTime: microTime(takenAt) },
    });

    const outcome = await a.outcomeOf('b-1:preview');
    expect(outcome).toMatchObject({ type: 'DeploymentSucceeded' });
    // Reported only once the other holder's lease had expired and deployer-a had taken it back.
    expect(Date.parse(outcome.occurredAt) - takenAt).toBeGreaterThanOrEqual(3_000);
  });
});
