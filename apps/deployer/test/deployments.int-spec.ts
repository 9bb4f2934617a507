import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import type { EventEnvelope } from '@app/contracts';
import { createTestNats } from '../../../test/infra/test-infra';
import { KubernetesFake, startKubernetesFake } from '../../../test/fakes/kubernetes';
import { workloadName } from '../src/naming/naming';
import { buildClosed, EventsPublisher, previewRequested, productionRequested, startDeployer } from './deployer-harness';
import { eventually, inputsStream, kubeconfigFor, testConfig } from './deployer-test-support';

jest.setTimeout(30_000);

const GOOD = 'registry.example.org/shop:1.0.0';

describe('deployer: preview and production deployments against the Kubernetes fake', () => {
  let fake: KubernetesFake;
  let nats: { url: string; prefix: string; cleanup(): Promise<void> };
  let kubeconfig: { path: string; remove(): void };
  let app: INestApplication;
  let events: EventsPublisher;

  const outcomesOf = async (requestId: string) => (await inputsStream(nats.url, nats.prefix)).filter((e) => (e.data as { requestId?: string }).requestId === requestId);
  const outcomeOf = (requestId: string, timeoutMs = 10_000): Promise<EventEnvelope<string, Record<string, any>>> =>
    eventually(async () => (await outcomesOf(requestId))[0] as EventEnvelope<string, Record<string, any>> | undefined, timeoutMs, `the outcome of ${requestId}`);

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs: 200 });
    nats = await createTestNats();
    kubeconfig = kubeconfigFor(fake);
    app = await startDeployer(testConfig({ kubeconfig: kubeconfig.path, natsUrl: nats.url, prefix: nats.prefix, timeoutSeconds: 3, failFastSeconds: 1 }), nats);
    events = new EventsPublisher(nats);
  });
  afterAll(async () => {
    await app?.close();
    await events?.close();
    await fake?.stop();
    await nats?.cleanup();
    kubeconfig?.remove();
  });

  it('deploys a preview named <project>-<type>-<target> with the project settings and reports the URL', async () => {
    const request = previewRequested({ buildId: 'b-preview', target: 'feature/Cart', image: GOOD, url: 'https://feature-cart.branch.example.org' });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);

    const name = workloadName({ environment: 'preview', project: 'shop', type: 'branch', target: 'feature/Cart' });
    expect(outcome).toMatchObject({
      id: `${request.id}:outcome`,
      type: 'DeploymentSucceeded',
      correlationId: 'b-preview',
      causationId: request.id,
      data: { buildId: 'b-preview', requestId: request.id, environment: 'preview', url: 'https://feature-cart.branch.example.org', namespace: 'default', name },
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
    expect(await outcomeOf(request.id)).toMatchObject({ type: 'DeploymentSucceeded', data: { environment: 'production', url: 'https://example.org', name: 'shop' } });
    expect(fake.get('Deployment', 'default', 'shop').metadata.labels['deploybot.dev/environment']).toBe('production');
    expect(fake.get('Ingress', 'default', 'shop').spec.rules[0].host).toBe('example.org');
  });

  it('routes an Ambassador project through a Mapping', async () => {
    const request = previewRequested({ buildId: 'b-blog', project: 'blog', type: 'tag', target: 'v2', image: GOOD, url: 'https://v2.tag.blog.example.net' });
    await events.publish(request);
    expect(await outcomeOf(request.id)).toMatchObject({ type: 'DeploymentSucceeded' });
    expect(fake.get('Mapping', 'default', 'blog-tag-v2')).toMatchObject({
      apiVersion: 'getambassador.io/v3alpha1',
      spec: { hostname: 'v2.tag.blog.example.net', prefix: '/', service: 'blog-tag-v2.default:80' },
    });
  });

  it('re-applies a redelivered request without a new generation and reports once', async () => {
    const request = previewRequested({ buildId: 'b-twice', target: 'twice', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);
    const before = fake.get('Deployment', 'default', 'shop-branch-twice');

    await events.redeliver(request, nats.prefix);
    await eventually(
      () => fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/shop-branch-twice')).length >= 2,
      10_000,
      'the second apply',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.get('Deployment', 'default', 'shop-branch-twice').metadata.generation).toBe(before.metadata.generation);
    expect(await outcomesOf(request.id)).toHaveLength(1);
  });

  it('reports ImagePullBackOff for a missing image within the fail-fast time', async () => {
    const request = previewRequested({ buildId: 'b-missing', target: 'missing', image: 'registry.example.org/shop:does-not-exist' });
    const started = Date.now();
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome.type).toBe('DeploymentFailed');
    expect(outcome.data.reason).toMatch(/^(ImagePullBackOff|ErrImagePull): .*registry\.example\.org\/shop:does-not-exist.* \(pod shop-branch-missing-[a-z0-9-]+, container app\)$/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports CrashLoopBackOff for a crashing image', async () => {
    const request = previewRequested({ buildId: 'b-crash', target: 'crash', image: 'registry.example.org/shop:crash' });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome).toMatchObject({ type: 'DeploymentFailed', data: { reason: expect.stringMatching(/^CrashLoopBackOff: .*container app, last exit code 1\)$/) } });
  });

  it('reports a Forbidden apply as the missing permission', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/deployments/shop-branch-denied' }, 403, 1);
    const request = previewRequested({ buildId: 'b-denied', target: 'denied', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(/^Forbidden: the deployer may not apply Deployment shop-branch-denied .*cannot patch resource "deployments"/);
  });

  it('reports an invalid object with the field', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/services/shop-branch-invalid' }, 422, 1);
    const request = previewRequested({ buildId: 'b-invalid', target: 'invalid', image: GOOD });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(/^Invalid: Kubernetes rejected .*spec: Invalid value/);
  });

  it('rides out a short run of 5xx answers', async () => {
    fake.failNext({ method: 'PATCH', pathIncludes: '/deployments/shop-branch-flaky' }, 503, 2);
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

  it('tears down exactly the closed build\'s preview', async () => {
    const request = previewRequested({ buildId: 'b-close', target: 'closing', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);

    const closed = buildClosed({ buildId: 'b-close', target: 'closing' });
    await events.publish(closed);
    expect(await outcomeOf(closed.id)).toMatchObject({
      type: 'PreviewTornDown',
      data: { buildId: 'b-close', namespace: 'default', deleted: ['Ingress/shop-branch-closing', 'Service/shop-branch-closing', 'Deployment/shop-branch-closing'] },
    });
    for (const kind of ['Deployment', 'Service', 'Ingress']) expect(fake.get(kind, 'default', 'shop-branch-closing')).toBeUndefined();
    expect(fake.get('Deployment', 'default', 'shop')).toBeDefined();
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
    expect(fake.get('Deployment', 'default', 'shop-branch-reused').metadata.annotations['deploybot.dev/build-id']).toBe('b-new');
  });

  it('does not roll a newer build back when an older request arrives late', async () => {
    const older = { ...previewRequested({ buildId: 'b-older', target: 'late', image: GOOD }), occurredAt: new Date(Date.now() - 60_000).toISOString() };
    const newer = previewRequested({ buildId: 'b-newer', target: 'late', image: 'registry.example.org/shop:2.0.0' });
    await events.publish(newer);
    await outcomeOf(newer.id);
    await events.publish(older);
    expect((await outcomeOf(older.id)).data.reason).toMatch(/^superseded: default\/shop-branch-late already runs build b-newer/);
    expect(fake.get('Deployment', 'default', 'shop-branch-late').spec.template.spec.containers[0].image).toBe('registry.example.org/shop:2.0.0');
  });
});
