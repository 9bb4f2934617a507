// What bench/gateway/run.mjs (gateway against Bolt) and bench/gateway/profile.mjs (where the CPU
// goes) share: the secrets and projects file the gateway runs with, its environment, waiting for
// it, the load generator (drive.mjs in a process of its own) and a process's CPU time from /proc.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const root = new URL('../../', import.meta.url).pathname;
export const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const secrets = { signingSecret: 'bench-signing-secret-0123456789', ciToken: 'bench-ci-token-0123456789abcdef' };

/** Writes the one-project projects file the gateway is started with into `dir`; returns its path. */
export function writeProjectsFile(dir) {
  const path = join(dir, 'config.yml');
  writeFileSync(
    path,
    'projects:\n  - id: bench\n    name: Bench\n    url: https://bench.example.org\n    channel: C0BENCH001\n    qa: [U01AZ88AQQ4]\n    owners: [U0OWNER01]\n',
  );
  return path;
}

/** The gateway's environment for a benchmark. */
export const gatewayEnv = ({ port, prefix, config, logLevel }) => ({
  PORT: String(port),
  NATS_URL: natsUrl,
  NATS_SUBJECT_PREFIX: prefix,
  DEPLOYBOT_CONFIG: config,
  CI_WEBHOOK_TOKEN: secrets.ciToken,
  SLACK_SIGNING_SECRET: secrets.signingSecret,
  LOG_LEVEL: logLevel,
});

/** Resolves once `url` answers below 500 (10 s at most). */
export async function waitFor(url, init) {
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(url, init);
      if (response.status < 500) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

/** Resolves once the gateway on `port` answers and then says it is ready (its JetStream connection up). */
export async function waitReady(port) {
  await waitFor(`http://127.0.0.1:${port}/readyz`);
  for (let i = 0; i < 50 && !(await fetch(`http://127.0.0.1:${port}/readyz`)).ok; i++) await sleep(100);
}

/** Runs drive.mjs with `options` (signed with the benchmark's secrets); returns its summary. */
export function drive(options) {
  const out = execFileSync(process.execPath, [join(root, 'bench/gateway/drive.mjs'), JSON.stringify({ ...secrets, ...options })], {
    cwd: root,
    encoding: 'utf8',
    timeout: (options.duration + 30) * 1000,
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** utime + stime of a process in seconds, from /proc (undefined where there is none). */
export function cpuSeconds(pid) {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return undefined;
  }
}
