import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import type { EventEnvelope } from '@app/contracts';
import { createTestNats } from '../../../test/infra/test-infra';
import { KubernetesFake, startKubernetesFake } from '../../../test/fakes/kubernetes';
import { clientsFor } from '../../../test/fakes/kubernetes/kubernetes-fake.test-support';
import { podSecurityViolations } from '../../../test/fakes/kubernetes/pod-security';
import { workloadName } from '../src/naming/naming';
import { AnnotationKeys } from '../src/manifests/workload-labels';
import { EventsPublisher, previewName, previewRequested, productionRequested, startDeployer, teardownRequested } from './deployer-harness';
import { testConfig } from './deployer-fixtures';
import { eventually, inputsStream, kubeconfigFor } from './deployer-test-support';

jest.setTimeout(30_000);

const GOOD = 'registry.example.org/shop:1.0.0';
const SECRET_VALUE = 'pa55-w0rd-never-leaves-the-cluster';

/** shop: previews and production in their own restricted namespaces; the others each break one thing. */
const PROJECTS = `
projects:
  - id: shop
    name: Shop
    url: https://example.org
    channel: C0123456789
    owners: [U0OWNER01]
    namespace: shop
    previewNamespace: shop-previews
    port: 8080
    env:
      LOG_LEVEL: info
      DATABASE_PASSWORD: { secretKeyRef: { name: shop-db, key: password } }
    envFrom:
      - secretRef: shop-secrets
      - configMapRef: shop-config
        prefix: CFG_
    command: [/app/server]
    args: [--port, "8080"]
    readinessProbe: { http: { path: /ready }, periodSeconds: 2 }
    livenessProbe: { exec: { command: [/app/health] } }
    labels: { team: checkout }
    annotations: { example.com/runbook: https://runbooks.example.org/shop }
    environments:
      preview: { env: { LOG_LEVEL: debug } }
  - id: rooted
    name: Rooted
    url: https://rooted.example.org
    channel: C0123456789
    owners: [U0OWNER01]
    namespace: shop
    securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: true }
  - id: crowded
    name: Crowded
    url: https://crowded.example.org
    channel: C0123456789
    owners: [U0OWNER01]
    namespace: tight
  - id: unwired
    name: Unwired
    url: https://unwired.example.org
    channel: C0123456789
    owners: [U0OWNER01]
    namespace: shop
    envFrom: [{ secretRef: unwired-secrets }]
`;

describe('deployer: workload settings, namespaces and refused pods against the Kubernetes fake', () => {
  let fake: KubernetesFake;
  let nats: { url: string; prefix: string; cleanup(): Promise<void> };
  let kubeconfig: { path: string; remove(): void };
  let app: INestApplication;
  let events: EventsPublisher;

  const outcomeOf = (requestId: string): Promise<EventEnvelope<string, Record<string, any>>> =>
    eventually(
      async () =>
        (await inputsStream(nats.url, nats.prefix)).find((e) => (e.data as { requestId?: string }).requestId === requestId) as
          | EventEnvelope<string, Record<string, any>>
          | undefined,
      15_000,
      `the outcome of ${requestId}`,
    );

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 1, podReadyAfterMs: 200 });
    const { core } = clientsFor(fake);
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    for (const name of ['shop', 'shop-previews']) {
      await core.createNamespace({ body: { metadata: { name, labels: restricted } } });
      await core.createNamespacedSecret({
        namespace: name,
        body: { metadata: { name: 'shop-db' }, stringData: { password: SECRET_VALUE } },
      });
      await core.createNamespacedSecret({
        namespace: name,
        body: { metadata: { name: 'shop-secrets' }, stringData: { API_KEY: SECRET_VALUE } },
      });
      await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'shop-config' }, data: { REGION: 'eu' } } });
    }
    await core.createNamespace({ body: { metadata: { name: 'tight' } } });
    await core.createNamespacedResourceQuota({
      namespace: 'tight',
      body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
    fake.clearRequests();

    nats = await createTestNats();
    kubeconfig = kubeconfigFor(fake);
    // A long rollout timeout: a refusal must fail the rollout at once, not at the deadline.
    const config = testConfig({
      kubeconfig: kubeconfig.path,
      natsUrl: nats.url,
      prefix: nats.prefix,
      timeoutSeconds: 60,
      failFastSeconds: 1,
      projectsYaml: PROJECTS,
    });
    app = await startDeployer(config, nats);
    events = new EventsPublisher(nats);
  });
  afterAll(async () => {
    await app?.close();
    await events?.close();
    await fake?.stop();
    await nats?.cleanup();
    kubeconfig?.remove();
  });

  it('deploys a preview into previewNamespace with env, envFrom, command, probes and extra metadata, under restricted Pod Security', async () => {
    const request = previewRequested({ buildId: 'b-preview', target: 'cart', image: GOOD });
    await events.publish(request);
    const name = previewName('cart');
    expect(await outcomeOf(request.id)).toMatchObject({
      type: 'DeploymentSucceeded',
      data: { environment: 'preview', namespace: 'shop-previews', name },
    });

    const deployment = fake.get('Deployment', 'shop-previews', name);
    expect(fake.get('Deployment', 'shop', name)).toBeUndefined();
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      command: ['/app/server'],
      args: ['--port', '8080'],
      env: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
      ],
      envFrom: [{ secretRef: { name: 'shop-secrets' } }, { prefix: 'CFG_', configMapRef: { name: 'shop-config' } }],
      readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 2 },
      livenessProbe: { exec: { command: ['/app/health'] } },
    });
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
    for (const kind of ['Deployment', 'Service', 'Ingress'])
      expect(fake.get(kind, 'shop-previews', name).metadata).toMatchObject({
        labels: { team: 'checkout', 'app.kubernetes.io/managed-by': 'deploybot' },
        annotations: { 'example.com/runbook': 'https://runbooks.example.org/shop', 'deploybot.dev/build-id': 'b-preview' },
      });
    const leasePaths = fake
      .requests()
      .filter((r) => r.path.includes('/leases'))
      .map((r) => r.path);
    expect(leasePaths.length).toBeGreaterThan(0);
    expect(leasePaths.every((path) => path.startsWith('/apis/coordination.k8s.io/v1/namespaces/shop-previews/leases'))).toBe(true);
  });

  it('deploys production into namespace, with its own environment values', async () => {
    const request = productionRequested({ buildId: 'b-prod', image: GOOD });
    await events.publish(request);
    expect(await outcomeOf(request.id)).toMatchObject({ type: 'DeploymentSucceeded', data: { namespace: 'shop', name: 'shop' } });
    expect(fake.get('Deployment', 'shop', 'shop').spec.template.spec.containers[0].env[0]).toEqual({ name: 'LOG_LEVEL', value: 'info' });
  });

  it('tears a preview down in previewNamespace and leaves production running', async () => {
    const request = previewRequested({ buildId: 'b-closing', target: 'closing', image: GOOD });
    await events.publish(request);
    await outcomeOf(request.id);
    const teardown = teardownRequested({ buildId: 'b-closing', target: 'closing', attemptId: 'b-closing:teardown:1' });
    await events.publish(teardown);
    const name = previewName('closing');
    expect(await outcomeOf('b-closing:teardown:1')).toMatchObject({
      type: 'PreviewTornDown',
      data: { namespace: 'shop-previews', deleted: [`Ingress/${name}`, `Service/${name}`, `Deployment/${name}`] },
    });
    expect(fake.get('Deployment', 'shop-previews', name)).toBeUndefined();
  });

  it('never reads a Secret, and no Secret value reaches a request or an outcome', async () => {
    const deployerCalls = fake.requests();
    expect(deployerCalls.filter((r) => r.path.includes('/secrets'))).toEqual([]);
    expect(JSON.stringify(deployerCalls)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(await inputsStream(nats.url, nats.prefix))).not.toContain(SECRET_VALUE);
  });

  it('fails at once with the API message when PodSecurity refuses the pods (a project that loosened its security context)', async () => {
    const started = Date.now();
    const request = productionRequested({ buildId: 'b-rooted', image: GOOD, project: 'rooted', url: 'https://rooted.example.org' });
    await events.publish(request);
    const outcome = await outcomeOf(request.id);
    expect(outcome).toMatchObject({
      type: 'DeploymentFailed',
      data: {
        reason: expect.stringMatching(
          /^ReplicaFailure: pods "rooted-[a-z0-9]+-" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false .*runAsNonRoot != true .*runAsUser=0/,
        ),
      },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails at once with the API message when a ResourceQuota leaves no room for the pods', async () => {
    const started = Date.now();
    const request = previewRequested({ buildId: 'b-crowded', project: 'crowded', target: 'main', image: GOOD });
    await events.publish(request);
    const name = workloadName({ environment: 'preview', project: 'crowded', type: 'branch', target: 'main' });
    expect((await outcomeOf(request.id)).data.reason).toBe(
      `ReplicaFailure: pods "${name}-${replicaSetHash(fake, 'tight', name) ?? '?'}-" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails the next build refused for the same reason at once too, though the Deployment keeps the first refusal and its time', async () => {
    const name = workloadName({ environment: 'preview', project: 'crowded', type: 'branch', target: 'again' });
    const first = previewRequested({ buildId: 'b-crowded-1', project: 'crowded', target: 'again', image: GOOD });
    await events.publish(first);
    expect((await outcomeOf(first.id)).data.reason).toMatch(/^ReplicaFailure: .*exceeded quota: no-pods/);
    // Conditions have whole seconds: the next request comes in a later second than the first refusal.
    await new Promise((r) => setTimeout(r, 1_100));
    const started = Date.now();
    const next = previewRequested({ buildId: 'b-crowded-2', project: 'crowded', target: 'again', image: `${GOOD}-next` });
    await events.publish(next);
    // The next build's ReplicaSet (its template carries the build id), refused like the first's.
    const hash = await eventually(() => replicaSetHash(fake, 'tight', name, 'b-crowded-2'), 10_000, "the next build's ReplicaSet");
    expect((await outcomeOf(next.id)).data.reason).toBe(
      `ReplicaFailure: pods "${name}-${hash}-" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0`,
    );
    // The Deployment still shows the first build's refusal (its ReplicaSet's name in the message).
    const kept = fake.get('Deployment', 'tight', name).status.conditions.find((c: { type: string }) => c.type === 'ReplicaFailure');
    expect(kept.message).not.toContain(`${name}-${hash}-`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with the kubelet message when envFrom names a Secret that is not there', async () => {
    const request = productionRequested({ buildId: 'b-unwired', image: GOOD, project: 'unwired', url: 'https://unwired.example.org' });
    await events.publish(request);
    expect((await outcomeOf(request.id)).data.reason).toMatch(
      /^CreateContainerConfigError: secret "unwired-secrets" not found \(pod unwired-[a-z0-9]+-[a-z0-9]+, container app\)$/,
    );
  });
});

/** The pod-template-hash of the Deployment's only ReplicaSet. */
/** The pod-template-hash of the workload's (first) ReplicaSet — of build `buildId`'s template when given. */
function replicaSetHash(fake: KubernetesFake, namespace: string, name: string, buildId?: string): string | undefined {
  const template = (o: object) => (o as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }).spec?.template;
  return fake
    .objects()
    .find(
      (o) =>
        o.kind === 'ReplicaSet' &&
        o.metadata.namespace === namespace &&
        o.metadata.name.startsWith(`${name}-`) &&
        (buildId === undefined || template(o)?.metadata?.annotations?.[AnnotationKeys.buildId] === buildId),
    )?.metadata.labels?.['pod-template-hash'];
}
