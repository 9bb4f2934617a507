// Gateway benchmark (issue #4): builds the gateway, starts it against the real NATS and a
// minimal @slack/bolt app as the peer, drives both from another process and writes the
// results into docs/gateway.md (between the bench markers).
//
//   node bench/gateway/run.mjs [--skip-build] [--duration 10]
//
// Needs NATS with JetStream (NATS_URL, default nats://127.0.0.1:4222). Only loopback traffic;
// every run is bounded in time and stops the processes it started.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';

const root = new URL('../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const duration = Number(args[args.indexOf('--duration') + 1] || 10) || 10;
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `bench${Date.now().toString(36)}`;
const secrets = { signingSecret: 'bench-signing-secret-0123456789', ciToken: 'bench-ci-token-0123456789abcdef' };
const ports = { gateway: 3910, bolt: 3911 };
const children = [];

function start(name, command, argv, env) {
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => signal !== 'SIGTERM' && code !== 0 && console.error(`${name} exited with ${code ?? signal}`));
  return child;
}

async function waitFor(url, init) {
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

function drive(options) {
  const out = execFileSync(process.execPath, [join(root, 'bench/gateway/drive.mjs'), JSON.stringify({ ...secrets, ...options })], { cwd: root, encoding: 'utf8', timeout: (options.duration + 30) * 1000 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function storedInputs() {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(`${prefix.toUpperCase()}_INPUTS`);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}

async function deleteStreams() {
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  for await (const s of jsm.streams.list()) if (s.config.name.startsWith(`${prefix.toUpperCase()}_`)) await jsm.streams.delete(s.config.name);
  await nc.close();
}

async function main() {
  if (!args.includes('--skip-build')) execFileSync('npx', ['nest', 'build', 'gateway'], { cwd: root, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const config = join(dir, 'config.yml');
  writeFileSync(config, 'projects:\n  - id: bench\n    name: Bench\n    url: https://bench.example.org\n    channel: C0BENCH001\n    qa: [U01AZ88AQQ4]\n    owners: [U0OWNER01]\n');

  start('gateway', process.execPath, [join(root, 'dist/apps/gateway/apps/gateway/src/main.js')], {
    PORT: String(ports.gateway),
    NATS_URL: natsUrl,
    NATS_SUBJECT_PREFIX: prefix,
    DEPLOYBOT_CONFIG: config,
    CI_WEBHOOK_TOKEN: secrets.ciToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  });
  start('bolt', process.execPath, [join(root, 'bench/gateway/bolt-peer.mjs')], { PORT: String(ports.bolt), SLACK_SIGNING_SECRET: secrets.signingSecret });
  await waitFor(`http://127.0.0.1:${ports.gateway}/readyz`);
  await waitFor(`http://127.0.0.1:${ports.bolt}/slack/events`, { method: 'POST' });
  for (let i = 0; i < 50 && !(await fetch(`http://127.0.0.1:${ports.gateway}/readyz`)).ok; i++) await sleep(100);

  const targets = {
    'gateway: Slack clicks': { kind: 'slack', url: `http://127.0.0.1:${ports.gateway}/slack/interactions` },
    'Bolt 5.1 (peer): Slack clicks': { kind: 'slack', url: `http://127.0.0.1:${ports.bolt}/slack/events` },
    'gateway: CI webhooks': { kind: 'ci', url: `http://127.0.0.1:${ports.gateway}/build-complete` },
  };
  const results = [];
  let run = 0;
  for (const [name, target] of Object.entries(targets)) {
    drive({ ...target, run: ++run, connections: 10, duration: 3 }); // warm-up (JIT, connections, stream)
    const peak = drive({ ...target, run: ++run, connections: 10, duration });
    const burst = drive({ ...target, run: ++run, connections: 10, duration, overallRate: 200 });
    const paced = drive({ ...target, run: ++run, connections: 10, duration, mode: 'paced', rate: 200 });
    results.push({ name, peak, burst, paced });
    console.error(name, JSON.stringify({ peak, burst, paced }));
  }
  const stored = await storedInputs();
  return { results, stored, cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, duration };
}

function markdown({ results, stored, cpus, cpuModel, node, duration }) {
  const ok = (r) => (r.non2xx || r.errors || r.timeouts ? ` (non-2xx ${r.non2xx ?? 0}, errors ${r.errors ?? 0})` : '');
  const lines = [
    `Run: ${new Date().toISOString().slice(0, 10)}, ${cpus} × ${cpuModel}, Node ${node}, NATS JetStream on the same machine, ${duration} s per measurement, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}.`,
    '',
    '| target | peak req/s (10 connections) | 200/s evenly paced: p50 / p99 / max (ms) | autocannon overallRate 200: p50 / p99 (ms) |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.peak.rps)}${ok(r.peak)} | ${r.paced.p50} / ${r.paced.p99} / ${r.paced.max}${ok(r.paced)} | ${r.burst.p50} / ${r.burst.p99}${ok(r.burst)} |`),
    '',
    `Inputs stored in the INPUTS stream during the run: ${stored} (every accepted click and webhook is a JetStream-acknowledged message; Bolt stores nothing).`,
  ];
  return lines.join('\n');
}

try {
  const summary = await main();
  const table = markdown(summary);
  console.log(table);
  writeFileSync(join(root, 'bench/gateway/results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const docPath = join(root, 'docs/gateway.md');
  const doc = readFileSync(docPath, 'utf8');
  const updated = doc.replace(/(<!-- bench:start -->\n)[\s\S]*?(\n<!-- bench:end -->)/, `$1${table}$2`);
  writeFileSync(docPath, updated);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await sleep(500);
  await deleteStreams().catch(() => undefined);
}
