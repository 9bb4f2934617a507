import { describe, expect, it } from '@jest/globals';
import type { V1Ingress } from '@kubernetes/client-node';
import { parseProjects, ProjectConfig } from '@app/platform';
import type { AmbassadorMapping } from './ambassador-mapping';
import type { DeploymentOrder } from './deployment-order';
import { workloadManifests } from './workload.manifests';

const projectsYaml = `
projects:
  - id: shop
    name: Shop
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001]
    owners: [U0OWNER01]
    namespace: previews
    port: 8080
    replicas: 2
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { memory: 256Mi }
    imagePullSecrets: [registry-credentials]
    route: { kind: ingress, ingressClassName: nginx, tlsSecretName: wildcard-example-org }
  - id: blog
    name: Blog
    url: http://blog.example.net
    channel: C0123456789
    owners: [U0OWNER01]
    route: { kind: ambassador-mapping, ambassadorId: edge }
`;
const projects = parseProjects(projectsYaml, 'test');
const shop = projects.get('shop') as ProjectConfig;
const blog = projects.get('blog') as ProjectConfig;

const previewOrder: DeploymentOrder = {
  requestId: 'evt-1',
  buildId: 'b-42',
  correlationId: 'b-42',
  identity: { environment: 'preview', project: 'shop', type: 'branch', target: 'feature/Cart' },
  image: 'registry.example.org/shop:abc123',
  url: 'https://feature-cart-0a1b2c3d.branch.example.org',
  requestedAt: '2026-11-26T10:00:00.000Z',
  rolloutDeadline: '2026-11-26T10:05:00.000Z',
};
const settings = { progressDeadlineSeconds: 120 };

describe('workloadManifests for a preview', () => {
  const m = workloadManifests(previewOrder, shop, settings);

  it('names every object <project>-<type>-<target>--<hash> in the project namespace', () => {
    expect(m.name).toMatch(/^shop-branch-feature-cart--[0-9a-f]{10}$/);
    for (const object of [m.deployment, m.service, m.route]) {
      expect(object.metadata?.name).toBe(m.name);
      expect(object.metadata?.namespace).toBe('previews');
    }
  });

  it('labels every object as managed by deploybot, with project, environment and target', () => {
    for (const object of [m.deployment, m.service, m.route]) {
      expect(object.metadata?.labels).toEqual({
        'app.kubernetes.io/managed-by': 'deploybot',
        'app.kubernetes.io/name': m.name,
        'deploybot.dev/project': 'shop',
        'deploybot.dev/environment': 'preview',
        'deploybot.dev/target': expect.stringMatching(/^feature-cart-[0-9a-f]{8}$/),
      });
      expect(object.metadata?.annotations).toMatchObject({ 'deploybot.dev/build-id': 'b-42' });
    }
  });

  it('records when the build was requested on the Deployment, not on the pod template', () => {
    expect(m.deployment.metadata?.annotations?.['deploybot.dev/requested-at']).toBe('2026-11-26T10:00:00.000Z');
    expect(m.deployment.spec?.template.metadata?.annotations).not.toHaveProperty('deploybot.dev/requested-at');
  });

  it('puts the build and request ids on the pod template so a new build, or a retry, rolls out new pods', () => {
    expect(m.deployment.spec?.template.metadata?.annotations).toEqual({
      'deploybot.dev/build-id': 'b-42',
      'deploybot.dev/request-id': 'evt-1',
    });
  });

  it('runs the image with the project port, replicas, resources and pull secrets', () => {
    const spec = m.deployment.spec!;
    expect(spec.replicas).toBe(2);
    expect(spec.progressDeadlineSeconds).toBe(120);
    const container = spec.template.spec!.containers[0];
    expect(container.image).toBe('registry.example.org/shop:abc123');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(spec.template.spec!.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
  });

  it('selects the pods by labels the template carries', () => {
    const selector = m.deployment.spec!.selector.matchLabels!;
    expect(m.deployment.spec!.template.metadata!.labels).toMatchObject(selector);
    expect(m.service.spec!.selector).toEqual(selector);
    expect(m.service.spec!.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
  });

  it('routes the preview host to the Service through an Ingress with class and TLS', () => {
    const ingress = m.route as V1Ingress;
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.kind).toBe('Ingress');
    expect(ingress.spec?.ingressClassName).toBe('nginx');
    expect(ingress.spec?.tls).toEqual([{ hosts: ['feature-cart-0a1b2c3d.branch.example.org'], secretName: 'wildcard-example-org' }]);
    expect(ingress.spec?.rules).toEqual([
      {
        host: 'feature-cart-0a1b2c3d.branch.example.org',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: m.name, port: { number: 8080 } } } }] },
      },
    ]);
  });
});

describe('workloadManifests for production', () => {
  const m = workloadManifests(
    { ...previewOrder, identity: { environment: 'production', project: 'shop' }, url: 'https://example.org' },
    shop,
    settings,
  );

  it('names the objects after the project and routes the project host', () => {
    expect(m.name).toBe('shop');
    expect((m.route as V1Ingress).spec?.rules?.[0].host).toBe('example.org');
  });

  it('labels them production, without a target', () => {
    expect(m.deployment.metadata?.labels?.['deploybot.dev/environment']).toBe('production');
    expect(m.deployment.metadata?.labels).not.toHaveProperty('deploybot.dev/target');
  });
});

describe('workloadManifests with an Ambassador Mapping', () => {
  const m = workloadManifests(
    {
      ...previewOrder,
      identity: { environment: 'preview', project: 'blog', type: 'tag', target: 'v1' },
      url: 'http://v1.tag.blog.example.net',
    },
    blog,
    settings,
  );

  it('routes through a getambassador.io/v3alpha1 Mapping to <service>.<namespace>:<port>', () => {
    const mapping = m.route as AmbassadorMapping;
    expect(mapping.apiVersion).toBe('getambassador.io/v3alpha1');
    expect(mapping.kind).toBe('Mapping');
    expect(mapping.spec).toEqual({
      hostname: 'v1.tag.blog.example.net',
      prefix: '/',
      service: `${m.name}.default:80`,
      ambassador_id: ['edge'],
    });
  });

  it('leaves out resources and pull secrets the project does not set', () => {
    const pod = m.deployment.spec!.template.spec!;
    expect(pod.imagePullSecrets).toBeUndefined();
    expect(pod.containers[0].resources).toBeUndefined();
  });
});
