import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApisApi, CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { clientsFor, rejection, statusOf, watchUntil } from './kubernetes-fake.test-support';

const lease = (name: string, spec: Record<string, unknown> = {}): V1Lease => ({
  metadata: { name },
  spec: {
    holderIdentity: 'deployer-7f9c',
    leaseDurationSeconds: 15,
    acquireTime: new V1MicroTime('2026-12-06T22:00:00.000Z'),
    renewTime: new V1MicroTime('2026-12-06T22:00:05.000Z'),
    leaseTransitions: 0,
    ...spec,
  },
});

describe('coordination.k8s.io/v1 Leases', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;
  let leases: CoordinationV1Api;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01 });
    clients = clientsFor(fake);
    leases = clients.kc.makeApiClient(CoordinationV1Api);
  });

  afterAll(async () => {
    await fake.stop();
  });

  it('are listed in discovery', async () => {
    const groups = await clients.kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.find((g) => g.name === 'coordination.k8s.io')?.preferredVersion?.groupVersion).toBe('coordination.k8s.io/v1');
    const resources = await leases.getAPIResources();
    expect(resources.resources).toEqual([
      expect.objectContaining({ name: 'leases', singularName: 'lease', kind: 'Lease', namespaced: true }),
    ]);
  });

  it('are created, read and renewed by replace, with MicroTimes written back as six-digit UTC', async () => {
    const created = await leases.createNamespacedLease({ namespace: 'default', body: lease('deploy-lock') });
    expect(created.spec).toMatchObject({ holderIdentity: 'deployer-7f9c', leaseDurationSeconds: 15, leaseTransitions: 0 });
    // client-node hands MicroTimes back as the strings the server sent.
    expect(created.spec?.acquireTime).toBe('2026-12-06T22:00:00.000000Z');

    const renewed = await leases.replaceNamespacedLease({
      name: 'deploy-lock',
      namespace: 'default',
      body: { ...created, spec: { ...created.spec, renewTime: '2026-12-06T23:00:10.123456+01:00' as unknown as V1MicroTime } },
    });
    expect(renewed.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    const read = await leases.readNamespacedLease({ name: 'deploy-lock', namespace: 'default' });
    expect(read.spec?.renewTime).toBe('2026-12-06T22:00:10.123456Z');
    expect(fake.get('Lease', 'default', 'deploy-lock')?.spec.holderIdentity).toBe('deployer-7f9c');
  });

  it('are created by a replace when none exists yet, as the apiserver allows for Leases', async () => {
    const created = await leases.replaceNamespacedLease({ name: 'put-created', namespace: 'default', body: lease('put-created') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      fake
        .requests()
        .filter((r) => r.method === 'PUT')
        .pop()?.path,
    ).toBe('/apis/coordination.k8s.io/v1/namespaces/default/leases/put-created');
  });

  it('refuse a MicroTime with millisecond precision (a plain Date) with the decoder error of the apiserver', async () => {
    const body = lease('millis', { renewTime: new Date('2026-12-06T22:00:05.000Z') as V1MicroTime });
    const err = await rejection(leases.createNamespacedLease({ namespace: 'default', body }));
    expect(err.code).toBe(400);
    expect(statusOf(err)).toMatchObject({
      reason: 'BadRequest',
      message:
        'Lease in version "v1" cannot be handled as a Lease: parsing time "2026-12-06T22:00:05.000Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".000Z" as ".000000"',
    });
  });

  it('refuse a lease duration that is not positive with an Invalid Status', async () => {
    const err = await rejection(
      leases.createNamespacedLease({ namespace: 'default', body: lease('no-time', { leaseDurationSeconds: 0 }) }),
    );
    expect(err.code).toBe(422);
    expect(statusOf(err).message).toBe(
      'Lease.coordination.k8s.io "no-time" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );
  });

  it('stream their changes to a watch', async () => {
    const { metadata } = await leases.listNamespacedLease({ namespace: 'default' });
    const created = await leases.createNamespacedLease({ namespace: 'default', body: lease('watched') });
    const handedOver = { ...created, spec: { ...created.spec, holderIdentity: 'deployer-0b1d' } };
    await leases.replaceNamespacedLease({ name: 'watched', namespace: 'default', body: handedOver });
    const events = await watchUntil<V1Lease>(
      clients.kc,
      '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      { resourceVersion: metadata?.resourceVersion ?? '', fieldSelector: 'metadata.name=watched' },
      (e) => e.type === 'MODIFIED',
    );
    expect(events.map((e) => [e.type, e.object.spec?.holderIdentity])).toEqual([
      ['ADDED', 'deployer-7f9c'],
      ['MODIFIED', 'deployer-0b1d'],
    ]);
  });
});
