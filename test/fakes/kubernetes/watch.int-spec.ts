import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Watch } from '@kubernetes/client-node';
import { startKubernetesFake, type KubernetesFake } from './index';
import { clientsFor, eventually } from './kubernetes-fake.test-support';

describe('Kubernetes API fake: watches as a reflector meets them', () => {
  let fake: KubernetesFake;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    fake = await startKubernetesFake({ timeScale: 0.01, watchBookmarkIntervalMs: 50 });
    clients = clientsFor(fake);
  });

  afterAll(async () => {
    await fake.stop();
  });

  const SERVICES = '/api/v1/namespaces/default/services';
  const createService = (name: string) =>
    clients.core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
  const listVersion = async (): Promise<string> =>
    (await clients.core.listNamespacedService({ namespace: 'default' })).metadata!.resourceVersion!;

  /** A watch with the real client-node Watch: its events, and how it ended (`null`: closed by the server; an error: dropped). */
  async function watching(query: Record<string, string | boolean>) {
    const events: { type: string; object: any }[] = [];
    let ended!: (error: unknown) => void;
    const end = new Promise<unknown>((resolve) => (ended = resolve));
    const controller = await new Watch(clients.kc).watch(SERVICES, query, (type, object) => events.push({ type, object }), ended);
    return { events, end, stop: () => controller.abort() };
  }

  it('sends bookmarks at the current resourceVersion to a watch that allows them, and none to one that does not', async () => {
    const rv = await listVersion();
    const allowing = await watching({ resourceVersion: rv, allowWatchBookmarks: true });
    const plain = await watching({ resourceVersion: rv });
    await createService('bookmarked');
    const [bookmark] = await eventually(() => {
      const found = allowing.events.filter((e) => e.type === 'BOOKMARK' && e.object.metadata.resourceVersion === String(Number(rv) + 1));
      return found.length ? found : undefined;
    });
    expect(bookmark.object).toEqual({ kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: String(Number(rv) + 1) } });
    fake.sendBookmarks();
    await new Promise((r) => setTimeout(r, 120));
    expect(plain.events.map((e) => e.type)).toEqual(['ADDED']);
    allowing.stop();
    plain.stop();
  });

  it('ends open watches cleanly (closeWatches), or drops their connections (cutWatches)', async () => {
    const rv = await listVersion();
    const closed = await watching({ resourceVersion: rv });
    await eventually(() => fake.openWatches() >= 1);
    expect(fake.closeWatches()).toBeGreaterThanOrEqual(1);
    expect(await closed.end).toBeNull();

    const cut = await watching({ resourceVersion: rv });
    await eventually(() => fake.openWatches() >= 1);
    expect(fake.cutWatches()).toBe(1);
    expect(await cut.end).toBeInstanceOf(Error);
    expect(fake.openWatches()).toBe(0);
  });

  it('expires open watches with ERROR 410, and after a compaction refuses to resume from before it', async () => {
    const before = await listVersion();
    const open = await watching({ resourceVersion: before });
    await eventually(() => fake.openWatches() >= 1);
    expect(fake.expireWatches()).toBe(1);
    await open.end;
    expect(open.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);

    await createService('before-compaction');
    fake.compact();
    const stale = await watching({ resourceVersion: before });
    await stale.end;
    expect(stale.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);

    const fresh = await watching({ resourceVersion: await listVersion() });
    await createService('after-compaction');
    await eventually(() => fresh.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'after-compaction'));
    fresh.stop();
  });

  it('refuses watches by verb while the list of the same URL still answers', async () => {
    fake.failNext({ verb: 'watch' }, 403, 1);
    const refused = await watching({ resourceVersion: await listVersion() });
    expect(await refused.end).toMatchObject({ statusCode: 403 });
    await expect(listVersion()).resolves.toMatch(/^\d+$/);
    const forbidden = fake.requests().findLast((r) => r.query.watch === 'true');
    expect(forbidden).toMatchObject({ method: 'GET', path: SERVICES });
  });
});
