import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, JSONCodec } from 'nats';
import { streamName } from '@app/platform';
import type { EventEnvelope } from '@app/contracts';
import type { KubernetesFake } from '../../../test/fakes/kubernetes';

/** A kubeconfig file for the fake in a temp dir; `remove()` deletes it. */
export function kubeconfigFor(fake: KubernetesFake): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'deployer-kube-'));
  const path = join(dir, 'config');
  writeFileSync(path, fake.kubeConfigYaml(), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
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
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
