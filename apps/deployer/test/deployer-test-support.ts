import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, JSONCodec } from 'nats';
import { AppConfig, loadEnvironment, parseProjects, streamName } from '@app/platform';
import type { EventEnvelope } from '@app/contracts';
import type { KubernetesFake } from '../../../test/fakes/kubernetes';

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

/** A kubeconfig file for the fake in a temp dir; `remove()` deletes it. */
export function kubeconfigFor(fake: KubernetesFake): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'deployer-kube-'));
  const path = join(dir, 'config');
  writeFileSync(path, fake.kubeConfigYaml(), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The deployer's configuration for a test: the fake's kubeconfig, short rollout limits. */
export function testConfig(env: { kubeconfig: string; natsUrl?: string; prefix?: string; timeoutSeconds?: number; failFastSeconds?: number }): AppConfig {
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
    projects: parseProjects(PROJECTS_YAML, 'test'),
  };
}

/** Every message stored on the INPUTS stream of `prefix` (where the deployer's outcomes go). */
export async function inputsStream(natsUrl: string, prefix: string): Promise<EventEnvelope[]> {
  const nc = await connect({ servers: natsUrl, timeout: 3_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const name = streamName(prefix, 'INPUTS');
    const info = await jsm.streams.info(name);
    const codec = JSONCodec<EventEnvelope>();
    const out: EventEnvelope[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
      if (m) out.push(codec.decode(m.data));
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** Polls `probe` until it returns something truthy, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
