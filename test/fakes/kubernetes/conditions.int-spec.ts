import { afterAll, beforeAll, afterEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { startKubernetesFake, type KubernetesFake } from './index';
import { apply, clientsFor, deploymentManifest, rejection, statusOf } from './kubernetes-fake.test-support';

const connectResult = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
  });

describe('Kubernetes API fake: standing conditions (outages), driven by @kubernetes/client-node', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
  });
  afterEach(() => fake.setCondition(undefined));
  afterAll(() => fake.stop());

  it('answers every request with a real 503 Status while a server-error condition holds, changing nothing', async () => {
    await fake.setCondition({ kind: 'server-error', status: 503 });

    const error = await rejection(apply(clients.objects, deploymentManifest('during-503', 'registry.example/web:1')));

    expect(error.code).toBe(503);
    expect(statusOf(error)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    expect(fake.get('Deployment', 'default', 'during-503')).toBeUndefined();
    await fake.setCondition(undefined);
    await expect(apply(clients.objects, deploymentManifest('during-503', 'registry.example/web:1'))).resolves.toBeDefined();
  });

  it('answers 500 with the etcd timeout for server-error 500', async () => {
    await fake.setCondition({ kind: 'server-error', status: 500 });
    const error = await rejection(clients.core.listNamespacedPod({ namespace: 'default' }));
    expect(error.code).toBe(500);
    expect(statusOf(error).message).toContain('etcdserver: request timed out');
  });

  it('holds every request for the stall before handling it', async () => {
    await fake.setCondition({ kind: 'stall', delayMs: 300 });
    const started = Date.now();
    await clients.core.listNamespacedPod({ namespace: 'default' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('refuses connections while refused and serves the same port again once lifted', async () => {
    const port = Number(new URL(fake.url).port);
    await fake.setCondition({ kind: 'refused' });

    expect(await connectResult(port)).toBe('ECONNREFUSED');
    await expect(clients.core.listNamespacedPod({ namespace: 'default' })).rejects.toThrow();
    expect(fake.condition()).toEqual({ kind: 'refused' });

    await fake.setCondition(undefined);
    expect(await connectResult(port)).toBe('connected');
    await expect(clients.core.listNamespacedPod({ namespace: 'default' })).resolves.toBeDefined();
  });

  it('refuses a condition it cannot express', async () => {
    await expect(fake.setCondition({ kind: 'stall', delayMs: 0 })).rejects.toThrow('positive whole number');
    await expect(fake.setCondition({ kind: 'server-error', status: 502 as never })).rejects.toThrow('500 or 503');
  });
});
