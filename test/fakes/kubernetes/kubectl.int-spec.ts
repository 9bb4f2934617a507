import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, eventually } from './kubernetes-fake.test-support';

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const kubectlVersion = probe.status === 0 ? probe.stdout.split('\n')[0] : undefined;
if (!kubectlVersion) {
  console.warn(
    'kubectl is not installed: skipping the kubectl compatibility tests (install it with `apt-get install -y kubernetes-client`)',
  );
}
const withKubectl = kubectlVersion ? it : it.skip;

describe(`the real kubectl (${kubectlVersion ?? 'not installed'}) against the Kubernetes API fake`, () => {
  let fake: KubernetesFake;
  let dir: string;

  const kubectl = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const fullArgs = ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args];
      execFile('kubectl', fullArgs, { timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  beforeAll(async () => {
    // Pods are Ready after 6 ms; a 100 s progress deadline passes after 2 s.
    fake = await startKubernetesFake({ timeScale: 0.02 });
    dir = mkdtempSync(join(tmpdir(), 'kubectl-fake-'));
    fake.writeKubeconfig(join(dir, 'kubeconfig'));
    fake.setImageBehavior(/hangs/, 'never-ready');
  });

  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  withKubectl('lists deployments and pods with the server-side table columns', async () => {
    const { objects } = clientsFor(fake);
    await apply(objects, deploymentManifest('listed', 'registry.example/web:1'));
    const deployments = await kubectl('get', 'deployments', '-n', 'default');
    expect(deployments).toMatchObject({ code: 0, stderr: '' });
    expect(deployments.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    expect(deployments.stdout).toMatch(/\nlisted\s+[01]\/1\s+/);

    const pods = await kubectl('get', 'pods', '-l', 'app=listed');
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(pods.stdout).toMatch(/\nlisted-[a-z0-9]+-[a-z0-9]{5}\s+/);
  });

  withKubectl('prints one deployment as JSON', async () => {
    const { objects } = clientsFor(fake);
    await apply(objects, deploymentManifest('as-json', 'registry.example/web:1'));
    const result = await kubectl('get', 'deploy', 'as-json', '-n', 'default', '-o', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'as-json', generation: 1 },
    });
  });

  withKubectl('lists leases with their holder', async () => {
    const { objects } = clientsFor(fake);
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'deploy-lock', namespace: 'default' },
      spec: { holderIdentity: 'deployer-7f9c', leaseDurationSeconds: 15, renewTime: '2026-12-06T22:00:00.000000Z' },
    };
    await apply(objects, lease);
    const result = await kubectl('get', 'leases', '-n', 'default');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^NAME\s+HOLDER\s+AGE\n/);
    expect(result.stdout).toMatch(/\ndeploy-lock\s+deployer-7f9c\s+\d+s\n/);
  });

  withKubectl('prints the digests the pods run through a jsonpath on imageID', async () => {
    const { objects } = clientsFor(fake);
    await apply(objects, deploymentManifest('digests', 'nginx:1.27', { replicas: 2 }));
    const jsonpath = [
      'get',
      'pods',
      '-n',
      'default',
      '-l',
      'app=digests',
      '-o',
      'jsonpath={.items[*].status.containerStatuses[*].imageID}',
    ];
    const result = await eventually(async () => {
      const printed = await kubectl(...jsonpath);
      return printed.stdout.split(' ').filter(Boolean).length === 2 && printed;
    });
    const imageId = `docker.io/library/nginx@${fake.registry.digestOf('nginx:1.27')}`;
    expect(result).toEqual({ code: 0, stdout: `${imageId} ${imageId}`, stderr: '' });
  });

  withKubectl('`rollout status` succeeds once a good image is rolled out', async () => {
    const { objects } = clientsFor(fake);
    await apply(objects, deploymentManifest('rolls', 'registry.example/web:1', { replicas: 2 }));
    const result = await kubectl('rollout', 'status', 'deployment/rolls', '-n', 'default', '--timeout=30s');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('deployment "rolls" successfully rolled out');
  });

  withKubectl('`rollout status` fails when the rollout exceeds its progress deadline', async () => {
    const { objects } = clientsFor(fake);
    await apply(objects, deploymentManifest('stuck', 'registry.example/hangs:1', { progressDeadlineSeconds: 100 }));
    const result = await kubectl('rollout', 'status', 'deployment/stuck', '-n', 'default', '--timeout=30s');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Waiting for deployment "stuck" rollout to finish');
    expect(result.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
  });
});
