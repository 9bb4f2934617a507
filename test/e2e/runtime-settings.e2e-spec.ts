import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SERVICES } from './support/built-services';
import { e2eProject } from './support/flows';
import { startStack, type Stack } from './support/stack';

/*
 * A service restarts itself in place with its memory settings (libs/platform/src/bootstrap) —
 * except under Node's profiler: the profiler's sampling signal (SIGPROF) outlives execve and
 * killed the restarted process before its own profiler was up (found profiling the flow
 * benchmark: "notifier exited during start-up (SIGPROF)"). Given --cpu-prof, every service starts,
 * runs without the restart (and says so), and writes its profile when it stops.
 */
describe('the built services under the CPU profiler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-cpu-prof-'));
  let stack: Stack | undefined;

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('start without restarting themselves, say so, and write their profiles on stop', async () => {
    const before = process.env.E2E_NODE_ARGS;
    process.env.E2E_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir}`;
    try {
      stack = await startStack({ projects: [e2eProject('profiled', 1)] });
    } finally {
      if (before === undefined) delete process.env.E2E_NODE_ARGS;
      else process.env.E2E_NODE_ARGS = before;
    }
    const running = stack;
    for (const service of SERVICES) {
      const args = readFileSync(`/proc/${running.services[service].pid}/cmdline`, 'utf8').split('\0');
      expect(args).toContain('--cpu-prof');
      expect(args).not.toContain('--max-semi-space-size=4');
      expect(readFileSync(running.services[service].logFile, 'utf8')).toContain(
        'deploybot: --cpu-prof is on, so the service does not restart itself with its memory settings',
      );
    }
    await running.stop();
    stack = undefined;
    expect(readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))).toHaveLength(SERVICES.length);
  }, 180_000);
});
