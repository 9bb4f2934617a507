import { afterAll, describe, expect, it } from '@jest/globals';
import { SERVICES } from './support/built-services';
import { e2eProject, livePreview } from './support/flows';
import { type PrivateNats, privateNatsAvailable, startPrivateNats } from './support/private-infra';
import { startStack, type Stack } from './support/stack';

const itWithPrivateNats = privateNatsAvailable() ? it : it.skip;
if (!privateNatsAvailable()) process.stderr.write('nats-at-start.e2e: no /usr/sbin/nats-server, the test is skipped\n');

/*
 * The services start while NATS is away (a NATS restart, or both rolled out at once): they wait
 * for it, not ready meanwhile, instead of exiting at start (found by the chaos suite: a killed
 * approvals replica restarted during a NATS restart and died with CONNECTION_REFUSED).
 */
describe('the built services started while NATS is down', () => {
  const project = e2eProject('latenats', 1);
  let nats: PrivateNats | undefined;
  let stack: Stack | undefined;

  afterAll(async () => {
    await stack?.stop();
    await nats?.cleanup();
  }, 60_000);

  itWithPrivateNats(
    'wait for NATS, become ready once it is up, and then work',
    async () => {
      nats = await startPrivateNats();
      await nats.stop();
      const starting = startStack({ projects: [project], nats });
      starting.catch(() => undefined); // awaited below; the NATS start must not wait for it
      await new Promise((r) => setTimeout(r, 3_000));
      await nats.start();
      stack = await starting;
      for (const service of SERVICES) expect(stack.services[service].running).toBe(true);
      const preview = await livePreview(stack, project, 'main', 'registry.example.org/latenats:1');
      expect(preview.buildId).toBeDefined();
    },
    180_000,
  );
});
