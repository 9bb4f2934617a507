import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventEnvelope } from '@app/contracts';
import { createTestNats } from '../../../test/infra/test-infra';
import { KubernetesFake, startKubernetesFake } from '../../../test/fakes/kubernetes';
import { apply, clientsFor, deploymentManifest } from '../../../test/fakes/kubernetes/kubernetes-fake.test-support';
import { legacyPreviewName, workloadName } from '../src/naming/naming';
import {
  buildClosed,
  EventsPublisher,
  previewName,
  previewRequested,
  productionRequested,
  startDeployer,
  teardownRequested,
} from './deployer-harness';
import { testConfig } from './deployer-fixtures';
import { eventually, inputsStream, kubeconfigFor } from './deployer-test-support';

jest.setTimeout(30_000);

const GOOD = 'registry.example.org/shop:1.0.0';

describe('deployer: preview and production deployments against the Kubernetes fake', () => {
  let fake: KubernetesFake;
  let nats: { url: string; prefix: string; cleanup(): Promise<void> };
  let kubeconfig: { path: string; remove(): void };
  let app: INestApplication;
  let events: EventsPublisher;

  const outcomesOf = async (requestId: string) =>
    (await inputsStream(nats.url, nats.prefix)).filter((e) => (e.data as { requestId?: string }).requestId === requestId);
  const outcomeOf = (requestId: string, timeoutMs = 10_000): Promise<EventEnvelope<string, Record<string, any>>> =>
    eventually(
      async () => (await outcomesOf(requestId))[0] as EventEnvelope<string, Record<string, any>> | undefined,
      timeoutMs,
      `the outcome of ${requestId}`,
    );

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs: 200 });
    nats = await createTestNats();
    kubeconfig = kubeconfigFor(fake);
    app = await startDeployer(
      testConfig({ kubeconfig: kubeconfig.path, natsUrl: nats.url, prefix: nats.prefix, timeoutSeconds: 3, failFastSeconds: 1 }),
      nats,
    );
    events = new EventsPublisher(nats);
  });
  afterAll(async () => {
    await app?.close();
    await events?.close();
    await fake?.stop();
    await nats?.cleanup();
    kubeconfig?.remove();
  });

  it('deploys a preview named <project>-<type>-<target>--<hash> with the project settings and reports the URL and digest', async () => {
    const request = previewRequested({
      buildId: 'b-preview',
      target: 'feature/Cart',
      image: GOOD,
      url: 'https://feature-cart.branch.example.org',
    });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);

    const name = workloadName({ environment: 'preview', project: 'shop', type: 'branch', target: 'feature/Cart' });
    expect(name).toMatch(/^shop-branch-feature-cart--[0-9a-f]{10}$/);
    const digest = fake.registry.digestOf(GOOD);
    expect(outcome).toMatchObject({
      id: `${request.id}:outcome`,
      type: 'DeploymentSucceeded',
      correlationId: 'b-preview',
      causationId: request.id,
      data: {
        buildId: 'b-preview',
        requestId: request.id,
        environment: 'preview',
        url: 'https://feature-cart.branch.example.org',
        namespace: 'default',
        name,
        digest,
        imageId: `registry.example.org/shop@${digest}`,
      },
    });
    const deployment = fake.get('Deployment', 'default', name);
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'deploybot',
      'deploybot.dev/project': 'shop',
      'deploybot.dev/environment': 'preview',
      'deploybot.dev/target': expect.stringMatching(/^feature-cart-[0-9a-f]{8}$/),
    });
    expect(deployment.metadata.annotations['deploybot.dev/build-id']).toBe('b-preview');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.progressDeadlineSeconds).toBe(3);
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({ name: 'app', image: GOOD, ports: [{ containerPort: 8080 }] });
    expect(fake.get('Service', 'default', name).spec.ports[0]).toMatchObject({ port: 8080, targetPort: 8080 });
    const ingress = fake.get('Ingress', 'default', name);
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', rules: [{ host: 'feature-cart.branch.example.org' }] });
    expect(ingress.spec.tls).toEqual([{ hosts: ['feature-cart.branch.example.org'], secretName: 'wildcard-example-org' }]);
  });

  it('deploys production as <project> at the project URL', async () => {
    const request = productionRequested({ buildId: 'b-prod', image: GOOD });
    await events.publish(request);
    expect(await outcomeOf(request.id)).toMatchObject({
      type: 'DeploymentSucceeded',
      data: { environment: 'production', url: 'https://example.org', name: 'shop' },
    });
    expect(fake.get('Deployment', 'default', 'shop').metadata.labels['deploybot.dev/environment']).toBe('production');
    expect(fake.get('Ingress', 'default', 'shop').spec.rules[0].host).toBe('example.org');
  });

  it('routes an Ambassador project through a Mapping', async () => {
    const request = previewRequested({
      buildId: 'b-blog',
      project: 'blog',
      type: 'tag',
      target: 'v2',
      image: GOOD,
      url: 'https://v2.tag.blog.example.net',
    });
    await events.publish(request);
    expect(await outcomeOf(request.id)).toMatchObject({ type: 'DeploymentSucceeded' });
    const name = previewName('v2', { project: 'blog', type: 'tag' });
    expect(fake.get('Mapping', 'default', name)).toMatchObject({
      apiVersion: 'getambassador.io/v3alpha1',
      spec: { hostname: 'v2.tag.blog.example.net', prefix: '/', service: `${name}.default:80` },
    });
  });

  it('acks a request stored again after it was handled, without a second apply or outcome', async () => {
    const request = previewRequested({ buildId: 'b-twice', target: 'twice', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);
    const name = previewName('twice');
    const applies = () => fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`)).length;
    const before = applies();

    // Its version of the build was handled: the transport acks the copy unhandled.
    await events.redeliver(request, nats.prefix);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(applies()).toBe(before);
    expect(await outcomesOf(request.id)).toHaveLength(1);
  });

  it('re-applies a request replayed from the dead letters without a new generation and reports once', async () => {
    const request = previewRequested({ buildId: 'b-replayed', target: 'replayed', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);
    const name = previewName('replayed');
    const before = fake.get('Deployment', 'default', name);

    await events.replayForDeployer(request, nats.prefix);
    await eventually(
      () => fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`)).length >= 2,
      10_000,
      'the second apply',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.get('Deployment', 'default', name).metadata.generation).toBe(before.metadata.generation);
    expect(await outcomesOf(request.id)).toHaveLength(1); // the same outcome id: JetStream keeps one
  });

  it('reports ImagePullBackOff for a missing image within the fail-fast time', async () => {
    const request = previewRequested({ buildId: 'b-missing', target: 'missing', image: 'registry.example.org/shop:does-not-exist' });
    const started = Date.now();
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome.type).toBe('DeploymentFailed');
    expect(outcome.data.reason).toMatch(
      /^(ImagePullBackOff|ErrImagePull): .*registry\.example\.org\/shop:does-not-exist.* \(pod shop-branch-missing--[0-9a-f]{10}-[a-z0-9-]+, container app\)$/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports CrashLoopBackOff for a crashing image', async () => {
    const request = previewRequested({ buildId: 'b-crash', target: 'crash', image: 'registry.example.org/shop:crash' });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome).toMatchObject({
      type: 'DeploymentFailed',
      data: { reason: expect.stringMatching(/^CrashLoopBackOff: .*container app, last exit code 1\)$/) },
    });
  });

  it('reports a Forbidden apply as the missing permission', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: `/deployments/${previewName('denied')}` }, 403, 1);
    const request = previewRequested({ buildId: 'b-denied', target: 'denied', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(
      /^Forbidden: the deployer may not apply Deployment shop-branch-denied--[0-9a-f]{10} .*cannot patch resource "deployments"/,
    );
  });

  it('reports a Forbidden lease as the permission deploy/rbac.yaml grants', async () => {
    fake.failNext({ method: 'POST', pathIncludes: `/leases` }, 403, 1);
    const request = previewRequested({ buildId: 'b-no-lease', target: 'no-lease', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(
      new RegExp(
        `^Forbidden: the deployer may not create Lease deploybot-${previewName('no-lease')} in namespace default: .*deploy/rbac\\.yaml`,
      ),
    );
    expect(fake.get('Deployment', 'default', previewName('no-lease'))).toBeUndefined();
  });

  it('reports an invalid object with the field', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: `/services/${previewName('invalid')}` }, 422, 1);
    const request = previewRequested({ buildId: 'b-invalid', target: 'invalid', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(/^Invalid: Kubernetes rejected .*spec: Invalid value/);
  });

  it('rides out a short run of 5xx answers', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: `/deployments/${previewName('flaky')}` }, 503, 2);
    const request = previewRequested({ buildId: 'b-flaky', target: 'flaky', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).type).toBe('DeploymentSucceeded');
  });

  it('reports an unreachable API server as such', async () => {
    fake.setUnavailable(true);
    try {
      const request = previewRequested({ buildId: 'b-down', target: 'down', image: GOOD });
      await events.publish(request);
      expect((await outcomeOf(request.id)).data.reason).toMatch(/^cannot reach the cluster at https?:\/\/127\.0\.0\.1:\d+/);
    } finally {
      fake.setUnavailable(false);
    }
  });

  it("tears down exactly the closed build's preview (a BuildClosed of an older version)", async () => {
    const request = previewRequested({ buildId: 'b-close', target: 'closing', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);

    const closed = buildClosed({ buildId: 'b-close', target: 'closing' });
    await events.publish(closed);
    const name = previewName('closing');
    expect(await outcomeOf(closed.id)).toMatchObject({
      type: 'PreviewTornDown',
      data: {
        buildId: 'b-close',
        requestId: closed.id,
        namespace: 'default',
        deleted: [`Ingress/${name}`, `Service/${name}`, `Deployment/${name}`],
      },
    });
    for (const kind of ['Deployment', 'Service', 'Ingress']) expect(fake.get(kind, 'default', name)).toBeUndefined();
    expect(fake.get('Deployment', 'default', 'shop')).toBeDefined();
  });

  it('tears down on PreviewTeardownRequested and leaves a BuildClosed with an attempt id to it', async () => {
    const request = previewRequested({ buildId: 'b-td', target: 'teardown', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);

    const closed = buildClosed({ buildId: 'b-td', target: 'teardown', attemptId: 'b-td:teardown:1' });
    const teardown = teardownRequested({ buildId: 'b-td', target: 'teardown', attemptId: 'b-td:teardown:1' });
    await events.publish(closed);
    await events.publish(teardown);
    const name = previewName('teardown');
    expect(await outcomeOf('b-td:teardown:1')).toMatchObject({
      id: 'b-td:teardown:1:outcome',
      type: 'PreviewTornDown',
      data: { requestId: 'b-td:teardown:1', deleted: [`Ingress/${name}`, `Service/${name}`, `Deployment/${name}`] },
    });
    expect(await outcomesOf(closed.id)).toEqual([]);
    expect(fake.requests().filter((r) => r.method === 'DELETE' && r.path.endsWith(`/deployments/${name}`))).toHaveLength(1);
  });

  it("also tears down objects an older version named <project>-<type>-<target>, if they are the build's", async () => {
    const legacy = legacyPreviewName({ environment: 'preview', project: 'shop', type: 'branch', target: 'legacy' });
    const { objects } = clientsFor(fake);
    const metadata = (build: string) => ({
      name: legacy,
      namespace: 'default',
      labels: { 'app.kubernetes.io/managed-by': 'deploybot' },
      annotations: { 'deploybot.dev/build-id': build },
    });
    await apply(objects, { ...deploymentManifest(legacy, GOOD), metadata: metadata('b-legacy') });
    await apply(objects, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata('b-legacy'),
      spec: { ports: [{ port: 80 }] },
    } as KubernetesObject);
    const otherBuild = legacyPreviewName({ environment: 'preview', project: 'shop', type: 'branch', target: 'legacy-other' });
    await apply(objects, { ...deploymentManifest(otherBuild, GOOD), metadata: { ...metadata('b-other'), name: otherBuild } });

    const teardown = teardownRequested({ buildId: 'b-legacy', target: 'legacy', attemptId: 'b-legacy:teardown:1' });
    await events.publish(teardown);
    expect((await outcomeOf('b-legacy:teardown:1')).data.deleted).toEqual([`Service/${legacy}`, `Deployment/${legacy}`]);
    expect(fake.get('Deployment', 'default', legacy)).toBeUndefined();
    const stranger = teardownRequested({ buildId: 'b-legacy', target: 'legacy-other', attemptId: 'b-legacy:teardown:2' });
    await events.publish(stranger);
    expect((await outcomeOf('b-legacy:teardown:2')).data.deleted).toEqual([]);
    expect(fake.get('Deployment', 'default', otherBuild)).toBeDefined();
  });

  it('leaves the objects of a superseding build of the same branch alone', async () => {
    const first = previewRequested({ buildId: 'b-old', target: 'reused', image: GOOD });
    await events.publish(first);
    await outcomeOf(first.id);
    const second = previewRequested({ buildId: 'b-new', target: 'reused', image: 'registry.example.org/shop:2.0.0' });
    await events.publish(second);
    await outcomeOf(second.id);

    const closed = buildClosed({ buildId: 'b-old', target: 'reused' });
    await events.publish(closed);
    expect((await outcomeOf(closed.id)).data.deleted).toEqual([]);
    expect(fake.get('Deployment', 'default', previewName('reused')).metadata.annotations['deploybot.dev/build-id']).toBe('b-new');
  });

  it('does not roll a newer build back when an older request arrives late, and says it was superseded', async () => {
    const older = previewRequested({
      buildId: 'b-older',
      target: 'late',
      image: GOOD,
      occurredAt: new Date(Date.now() - 60_000),
      rolloutDeadline: new Date(Date.now() + 30_000),
    });
    const newer = previewRequested({ buildId: 'b-newer', target: 'late', image: 'registry.example.org/shop:2.0.0' });
    await events.publish(newer);
    await outcomeOf(newer.id);
    await events.publish(older);
    const outcome = await outcomeOf(older.id);
    expect(outcome).toMatchObject({ type: 'DeploymentFailed', data: { superseded: true } });
    expect(outcome.data.reason).toBe(`superseded: default/${previewName('late')} now runs build b-newer, requested later`);
    expect(fake.get('Deployment', 'default', previewName('late')).spec.template.spec.containers[0].image).toBe(
      'registry.example.org/shop:2.0.0',
    );
  });

  it('does not let production attempt 1 of a build replace its attempt 2', async () => {
    const attempt1 = productionRequested({
      buildId: 'b-attempts',
      image: GOOD,
      attempt: 1,
      attemptId: 'b-attempts:production:1',
      occurredAt: new Date(Date.now() - 30_000),
      rolloutDeadline: new Date(Date.now() + 30_000),
    });
    const attempt2 = productionRequested({ buildId: 'b-attempts', image: GOOD, attempt: 2, attemptId: 'b-attempts:production:2' });
    await events.publish(attempt1);
    await events.publish(attempt2);
    expect((await outcomeOf('b-attempts:production:2')).type).toBe('DeploymentSucceeded');
    const shipped = fake.get('Deployment', 'default', 'shop');

    // Attempt 1 arriving again after attempt 2 (the one way it can: replayed from the dead letters).
    // Its outcome id is the one it already reported, so JetStream keeps the first; what counts is the cluster.
    const before = fake.requests().length;
    await events.replayForDeployer(attempt1, nats.prefix);
    await eventually(
      () =>
        fake
          .requests()
          .slice(before)
          .some((r) => r.method === 'GET' && r.path.endsWith('/deployments/shop')),
      10_000,
      'the replay to look at production',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const live = fake.get('Deployment', 'default', 'shop');
    expect(live.spec.template.metadata.annotations['deploybot.dev/request-id']).toBe('b-attempts:production:2');
    expect(live.metadata.generation).toBe(shipped.metadata.generation);
  });

  it('reports the digest each rollout pulled when the tag moved in between', async () => {
    const image = 'registry.example.org/shop:moving';
    const first = previewRequested({ buildId: 'b-move-1', target: 'moving', image, attemptId: 'b-move-1:preview' });
    await events.publish(first);
    const before = fake.registry.digestOf(image);
    expect((await outcomeOf('b-move-1:preview')).data).toMatchObject({ digest: before, imageId: `registry.example.org/shop@${before}` });

    const after = fake.registry.push(image);
    expect(after).not.toBe(before);
    const second = previewRequested({ buildId: 'b-move-2', target: 'moving', image, attemptId: 'b-move-2:preview' });
    await events.publish(second);
    expect((await outcomeOf('b-move-2:preview')).data).toMatchObject({ digest: after, imageId: `registry.example.org/shop@${after}` });
  });

  it('fails a request whose rollout deadline passed before it arrived, without applying', async () => {
    const request = previewRequested({
      buildId: 'b-expired',
      target: 'expired',
      image: GOOD,
      occurredAt: new Date(Date.now() - 10_000),
      rolloutDeadline: new Date(Date.now() - 5_000),
    });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome).toMatchObject({
      type: 'DeploymentFailed',
      data: { reason: expect.stringMatching(/^the rollout deadline passed before the deployer could finish: /) },
    });
    expect(outcome.data).not.toHaveProperty('superseded');
    expect(fake.get('Deployment', 'default', previewName('expired'))).toBeUndefined();
  });
});
