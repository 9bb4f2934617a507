import { describe, expect, it } from '@jest/globals';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseProjects, ProjectConfig } from '@app/platform';
import { podSecurityViolations } from '../../../../test/fakes/kubernetes/pod-security';
import { PROJECTS_YAML } from '../../test/deployer-fixtures';
import type { DeploymentOrder } from './deployment-order';
import { workloadManifests } from './workload.manifests';

const projectsYaml = `
projects:
  - id: shop
    name: Shop
    url: https://example.org
    channel: C0123456789
    owners: [U0OWNER01]
    namespace: shop
    previewNamespace: shop-previews
    port: 8080
    replicas: 3
    env:
      LOG_LEVEL: info
      DATABASE_PASSWORD: { secretKeyRef: { name: shop-db, key: password } }
      THEME: { configMapKeyRef: { name: shop-ui, key: theme, optional: true } }
    envFrom:
      - secretRef: shop-secrets
      - configMapRef: shop-config
        prefix: CFG_
        optional: true
    command: [/app/server]
    args: [--listen, ":8080"]
    readinessProbe: { http: { path: /ready }, periodSeconds: 5 }
    livenessProbe: { exec: { command: [/app/health, --live] }, initialDelaySeconds: 10, failureThreshold: 6 }
    securityContext: { runAsUser: 10001, fsGroup: 10001, readOnlyRootFilesystem: true, capabilities: { add: [NET_BIND_SERVICE] } }
    labels: { team: checkout }
    annotations: { example.com/runbook: https://runbooks.example.org/shop }
    environments:
      preview:
        replicas: 1
        env: { LOG_LEVEL: debug }
        readinessProbe: { http: { path: /ready, port: 9090 } }
        labels: { tier: preview }
  - id: legacy
    name: Legacy
    url: https://legacy.example.org
    channel: C0123456789
    owners: [U0OWNER01]
    securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: true, capabilities: { drop: [] }, seccompProfile: Unconfined }
`;
const projects = parseProjects(projectsYaml, 'test');
const shop = projects.get('shop') as ProjectConfig;
const settings = { progressDeadlineSeconds: 120 };

const orderFor = (project: string, environment: 'preview' | 'production'): DeploymentOrder => ({
  requestId: 'evt-1',
  buildId: 'b-42',
  correlationId: 'b-42',
  identity: environment === 'preview' ? { environment, project, type: 'branch', target: 'cart' } : { environment, project },
  image: 'registry.example.org/shop:abc123',
  url: environment === 'preview' ? 'https://cart.branch.example.org' : 'https://example.org',
  requestedAt: '2026-11-26T10:00:00.000Z',
  rolloutDeadline: '2026-11-26T10:05:00.000Z',
});

const podOf = (deployment: V1Deployment) => deployment.spec!.template.spec!;
const appOf = (deployment: V1Deployment) => podOf(deployment).containers[0];

describe('workload settings in the manifests', () => {
  const preview = workloadManifests(orderFor('shop', 'preview'), shop, settings);
  const production = workloadManifests(orderFor('shop', 'production'), shop, settings);

  it('puts previews in previewNamespace and production in namespace, every object and the Mapping target alike', () => {
    expect(preview.namespace).toBe('shop-previews');
    for (const object of [preview.deployment, preview.service, preview.route]) expect(object.metadata?.namespace).toBe('shop-previews');
    expect(production.namespace).toBe('shop');
    for (const object of [production.deployment, production.service, production.route]) expect(object.metadata?.namespace).toBe('shop');
  });

  it('gives the container env values and references to Secret and ConfigMap keys, never their values', () => {
    expect(appOf(production.deployment).env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
      { name: 'THEME', valueFrom: { configMapKeyRef: { name: 'shop-ui', key: 'theme', optional: true } } },
    ]);
    expect(appOf(production.deployment).envFrom).toEqual([
      { secretRef: { name: 'shop-secrets' } },
      { prefix: 'CFG_', configMapRef: { name: 'shop-config', optional: true } },
    ]);
  });

  it('sets command, args and probes; an HTTP probe goes to the http port unless it names one', () => {
    const app = appOf(production.deployment);
    expect(app.command).toEqual(['/app/server']);
    expect(app.args).toEqual(['--listen', ':8080']);
    expect(app.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' }, periodSeconds: 5 });
    expect(app.livenessProbe).toEqual({ exec: { command: ['/app/health', '--live'] }, initialDelaySeconds: 10, failureThreshold: 6 });
    expect(appOf(preview.deployment).readinessProbe).toEqual({ httpGet: { path: '/ready', port: 9090, scheme: 'HTTP' } });
  });

  it("applies the environment's overrides: replicas, env, labels", () => {
    expect(preview.deployment.spec?.replicas).toBe(1);
    expect(production.deployment.spec?.replicas).toBe(3);
    expect(appOf(preview.deployment).env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(preview.deployment.metadata?.labels).toMatchObject({ team: 'checkout', tier: 'preview' });
    expect(production.deployment.metadata?.labels).not.toHaveProperty('tier');
  });

  it('adds the extra labels and annotations to every object and to the pods, beside deploybot’s own', () => {
    for (const object of [preview.deployment, preview.service, preview.route, preview.deployment.spec!.template]) {
      expect(object.metadata?.labels).toMatchObject({ team: 'checkout', 'app.kubernetes.io/managed-by': 'deploybot' });
      expect(object.metadata?.annotations).toMatchObject({
        'example.com/runbook': 'https://runbooks.example.org/shop',
        'deploybot.dev/build-id': 'b-42',
      });
    }
    expect(preview.deployment.spec?.selector.matchLabels).not.toHaveProperty('team');
  });

  it('runs with the security context the project asks for, on top of the restricted defaults', () => {
    expect(podOf(production.deployment).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(appOf(production.deployment).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
    });
  });
});

describe('the restricted Pod Security Standard', () => {
  // The deployer's test projects (no workload settings at all) and shop (every setting but the security defaults).
  const generated = [...parseProjects(PROJECTS_YAML, 'fixtures').all, shop];

  it('holds for every pod template deploybot generates with the default security settings', () => {
    for (const project of generated)
      for (const environment of ['preview', 'production'] as const) {
        const { deployment } = workloadManifests(orderFor(project.id, environment), project, settings);
        expect({ project: project.id, environment, violations: podSecurityViolations(podOf(deployment), 'restricted') }).toEqual({
          project: project.id,
          environment,
          violations: [],
        });
      }
  });

  it('is broken, rule by rule, when a project loosens the defaults explicitly', () => {
    const { deployment } = workloadManifests(orderFor('legacy', 'production'), projects.get('legacy')!, settings);
    expect(
      podSecurityViolations(podOf(deployment), 'restricted')
        .map((v) => v.split(' (')[0])
        .sort(),
    ).toEqual(['allowPrivilegeEscalation != false', 'runAsNonRoot != true', 'runAsUser=0', 'seccompProfile', 'unrestricted capabilities']);
    expect(podSecurityViolations(podOf(deployment), 'baseline')).toEqual([
      'seccompProfile (pod and containers must not set securityContext.seccompProfile.type to "Unconfined")',
    ]);
  });
});
