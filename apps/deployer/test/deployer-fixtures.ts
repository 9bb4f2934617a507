import { AppConfig, loadEnvironment, parseProjects } from '@app/platform';
import type { DeployerOptions } from '../src/deployer.options';
import type { TeardownOrder } from '../src/deployments/deployment-orders';
import type { DeploymentOrder } from '../src/manifests/deployment-order';
import { workloadManifests, type WorkloadManifests } from '../src/manifests/workload.manifests';
import { microTime } from '../src/leases/workload-lease';

/*
 * What the deployer's tests are configured with and what they ask for: the projects, the
 * configuration, orders, and clocks. No I/O: the unit tests import this too.
 */

/** A projects file with one Ingress project and one Ambassador project, both in `default`. */
export const PROJECTS_YAML = `
projects:
  - id: shop
    name: Shop
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001]
    owners: [U0OWNER01]
    namespace: default
    port: 8080
    replicas: 2
    resources:
      requests: { cpu: 100m, memory: 64Mi }
    imagePullSecrets: [registry-credentials]
    route: { kind: ingress, ingressClassName: nginx, tlsSecretName: wildcard-example-org }
  - id: blog
    name: Blog
    url: https://blog.example.net
    channel: C0123456789
    owners: [U0OWNER01]
    route: { kind: ambassador-mapping }
`;

/** The deployer's configuration for a test: the fake's kubeconfig, short rollout limits. */
export function testConfig(env: {
  kubeconfig: string;
  natsUrl?: string;
  prefix?: string;
  timeoutSeconds?: number;
  failFastSeconds?: number;
  /** Default: PROJECTS_YAML. */
  projectsYaml?: string;
}): AppConfig {
  return {
    env: loadEnvironment('deployer', {
      KUBECONFIG: env.kubeconfig,
      NATS_URL: env.natsUrl ?? 'nats://127.0.0.1:4222',
      NATS_SUBJECT_PREFIX: env.prefix ?? 'deploybot',
      ROLLOUT_TIMEOUT_SECONDS: String(env.timeoutSeconds ?? 3),
      ROLLOUT_FAIL_FAST_SECONDS: String(env.failFastSeconds ?? 1),
      LOG_LEVEL: 'silent',
      PORT: '0',
    }),
    projects: parseProjects(env.projectsYaml ?? PROJECTS_YAML, 'test'),
  };
}

/** Tuning for unit tests: the rollout is looked at every millisecond, waiters look again every millisecond, holders renew every 5 ms. */
export const UNIT_OPTIONS: DeployerOptions = {
  pollIntervalMs: 1,
  requestTimeoutMs: 1_000,
  readinessTtlMs: 1_000,
  lease: { durationSeconds: 15, renewIntervalMs: 5, retryIntervalMs: 1 },
  instanceId: 'deployer-a',
};

/** The configuration of a unit test: no cluster to reach; pods failing fast at once unless said otherwise. */
export const unitConfig = (env: { timeoutSeconds?: number; failFastSeconds?: number; projectsYaml?: string } = {}): AppConfig =>
  testConfig({
    kubeconfig: '/nonexistent/unit-tests-use-an-in-memory-cluster',
    timeoutSeconds: env.timeoutSeconds ?? 300,
    failFastSeconds: env.failFastSeconds ?? 0,
    projectsYaml: env.projectsYaml,
  });

/** PROJECTS_YAML with shop's previews in their own namespace `shop-previews` (production stays in `default`). */
export const SEPARATE_PREVIEWS_YAML = PROJECTS_YAML.replace(
  '    namespace: default\n',
  '    namespace: default\n    previewNamespace: shop-previews\n',
);

export const T0 = Date.parse('2026-11-26T10:00:00.000Z');

/** A preview (or, without `target`, production) order of project shop; made now, with a minute to roll out, unless said otherwise. */
export function order(p: {
  buildId: string;
  target?: string;
  image?: string;
  requestId?: string;
  requestedAt?: number;
  deadline?: number;
}): DeploymentOrder {
  const requestedAt = p.requestedAt ?? Date.now();
  const preview = p.target !== undefined;
  return {
    requestId: p.requestId ?? `${p.buildId}:${preview ? 'preview' : 'production:1'}`,
    buildId: p.buildId,
    correlationId: p.buildId,
    identity: preview
      ? { environment: 'preview', project: 'shop', type: 'branch', target: p.target! }
      : { environment: 'production', project: 'shop' },
    image: p.image ?? 'registry.example.org/shop:1.0.0',
    url: preview ? `https://${p.target}.branch.example.org` : 'https://example.org',
    requestedAt: new Date(requestedAt).toISOString(),
    rolloutDeadline: new Date(p.deadline ?? requestedAt + 60_000).toISOString(),
  };
}

/** The teardown of the preview of `target` for build `buildId`. */
export const teardownOf = (buildId: string, target: string, attempt = 1): TeardownOrder => ({
  requestId: `${buildId}:teardown:${attempt}`,
  buildId,
  correlationId: buildId,
  identity: { environment: 'preview', project: 'shop', type: 'branch', target },
});

/** What the deployer applies for `o` with the unit configuration. */
export const manifestsOf = (o: DeploymentOrder, config = unitConfig()): WorkloadManifests =>
  workloadManifests(o, config.projects.get(o.identity.project)!, { progressDeadlineSeconds: config.env.ROLLOUT_TIMEOUT_SECONDS });

/** A clock a test moves by hand. */
export class ManualClock {
  constructor(private t = T0) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  /** `ms` from now as the MicroTime a Lease carries. */
  microTime(ms = 0): string {
    return microTime(this.t + ms);
  }
}

/** A clock that moves on by `stepMs` every time it is read: each look of a poller is `stepMs` after the last. */
export class SteppingClock {
  private t: number;
  constructor(
    private readonly stepMs: number,
    start = T0,
  ) {
    this.t = start - stepMs;
  }
  readonly now = (): number => (this.t += this.stepMs);
}

/** Waits (a millisecond at a time, 2 s at most) until `probe` gives something. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what = 'the condition'): Promise<T> {
  for (const deadline = Date.now() + 2_000; ; ) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
