// Gateway benchmark (issue #4): builds the gateway, starts it against the real NATS and a
// minimal @slack/bolt app as the peer, drives both from another process and writes the
// results into docs/gateway.md (between the bench markers).
//
//   node bench/gateway/run.mjs [--skip-build] [--duration 10] [--rounds 3] [--baseline DIR [--baseline-label TEXT]]
//
// --baseline DIR also starts the gateway of another checkout (e.g. `git archive <commit>` with a
// node_modules link, built with `npx nest build gateway`, which this script does unless
// --skip-build) and measures its clicks and webhooks in the same rounds: before and after on the
// same machine at the same time.
//
// Each round measures every target once (peak, evenly paced, autocannon's overallRate),
// the targets alternating, so a change in machine load hits all of them alike; the table
// gives the median over the rounds and each round's peak. CPU per request is read from
// /proc for the server under test and nats-server (Linux; left out elsewhere).
//
// Needs NATS with JetStream (NATS_URL, default nats://127.0.0.1:4222). Only loopback traffic;
// every run is bounded in time and stops the processes it started.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { cpuSeconds, drive, gatewayEnv, natsUrl, root, secrets, waitFor, waitReady, writeProjectsFile } from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const text = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const baseline = text('--baseline');
const baselineLabel = text('--baseline-label') ?? 'before';
const duration = option('--duration', 10);
const rounds = option('--rounds', 3);
const prefix = `bench${Date.now().toString(36)}`;
const ports = { gateway: 3910, bolt: 3911, baseline: 3912 };
const children = [];

function start(name, command, argv, env) {
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => signal !== 'SIGTERM' && code !== 0 && console.error(`${name} exited with ${code ?? signal}`));
  return child;
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
  for await (const s of jsm.streams.list())
    if (s.config.name.startsWith(`${prefix.toUpperCase()}_`)) await jsm.streams.delete(s.config.name);
  await nc.close();
}

async function main() {
  const loadAtStart = loadavg()[0];
  if (!args.includes('--skip-build')) {
    execFileSync('npx', ['nest', 'build', 'gateway'], { cwd: root, stdio: 'inherit' });
    if (baseline) execFileSync('npx', ['nest', 'build', 'gateway'], { cwd: baseline, stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const config = writeProjectsFile(dir);

  const startGateway = (name, checkout, port) =>
    start(
      name,
      process.execPath,
      [join(checkout, 'dist/apps/gateway/apps/gateway/src/main.js')],
      gatewayEnv({ port, prefix, config, logLevel: process.env.LOG_LEVEL ?? 'info' }),
    );
  const gateway = startGateway('gateway', root, ports.gateway);
  const baselineGateway = baseline ? startGateway('baseline gateway', baseline, ports.baseline) : undefined;
  const bolt = start('bolt', process.execPath, [join(root, 'bench/gateway/bolt-peer.mjs')], {
    PORT: String(ports.bolt),
    SLACK_SIGNING_SECRET: secrets.signingSecret,
  });
  await waitFor(`http://127.0.0.1:${ports.bolt}/slack/events`, { method: 'POST' });
  await waitReady(ports.gateway);
  if (baselineGateway) await waitReady(ports.baseline);

  const servers = { gateway: gateway.pid, bolt: bolt.pid, baseline: baselineGateway?.pid };
  const natsPid = processId('nats-server');
  const baselineName = `gateway ${baselineLabel}`;
  const targets = {
    'gateway: Slack clicks': { kind: 'slack', url: `http://127.0.0.1:${ports.gateway}/slack/interactions`, server: servers.gateway },
    'Bolt 5.1 (peer): Slack clicks': { kind: 'slack', url: `http://127.0.0.1:${ports.bolt}/slack/events`, server: servers.bolt },
    ...(baselineGateway
      ? {
          [`${baselineName}: Slack clicks`]: {
            kind: 'slack',
            url: `http://127.0.0.1:${ports.baseline}/slack/interactions`,
            server: servers.baseline,
          },
        }
      : {}),
    'gateway: CI webhooks': { kind: 'ci', url: `http://127.0.0.1:${ports.gateway}/build-complete`, server: servers.gateway },
    ...(baselineGateway
      ? {
          [`${baselineName}: CI webhooks`]: {
            kind: 'ci',
            url: `http://127.0.0.1:${ports.baseline}/build-complete`,
            server: servers.baseline,
          },
        }
      : {}),
  };
  const runs = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  let run = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const [name, { server, ...target }] of Object.entries(targets)) {
      if (round === 1) drive({ ...target, run: ++run, connections: 10, duration: 3 }); // warm-up (JIT, connections, stream)
      const before = { server: cpuSeconds(server), nats: cpuSeconds(natsPid) };
      const peak = drive({ ...target, run: ++run, connections: 10, duration });
      const cpuUs = (pid, start) => (start === undefined ? undefined : Math.round(((cpuSeconds(pid) - start) / peak.requests) * 1e6));
      peak.cpuPerRequestUs = {
        server: cpuUs(server, before.server),
        nats: server === servers.bolt ? undefined : cpuUs(natsPid, before.nats),
      };
      const burst = drive({ ...target, run: ++run, connections: 10, duration, overallRate: 200 });
      const paced = drive({ ...target, run: ++run, connections: 10, duration, mode: 'paced', rate: 200 });
      runs[name].push({ peak, burst, paced });
      console.error(`round ${round}`, name, JSON.stringify({ peak, burst, paced }));
    }
  }
  const stored = await storedInputs();
  const results = Object.entries(runs).map(([name, measured]) => ({ name, rounds: measured, median: medians(measured) }));
  return {
    results,
    stored,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    duration,
    rounds,
    loadAtStart,
    load: loadavg()[0],
  };
}

function processId(name) {
  try {
    return Number(execFileSync('pgrep', ['-o', '-x', name], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : undefined;
};

function medians(measured) {
  const pick = (f) => median(measured.map(f));
  return {
    rps: pick((m) => m.peak.rps),
    serverCpuUs: pick((m) => m.peak.cpuPerRequestUs?.server),
    natsCpuUs: pick((m) => m.peak.cpuPerRequestUs?.nats),
    pacedP50: pick((m) => m.paced.p50),
    pacedP99: pick((m) => m.paced.p99),
    pacedMax: pick((m) => m.paced.max),
    burstP50: pick((m) => m.burst.p50),
    burstP99: pick((m) => m.burst.p99),
    failed: measured.reduce(
      (n, m) => n + [m.peak, m.burst, m.paced].reduce((k, r) => k + (r.non2xx ?? 0) + (r.errors ?? 0) + (r.timeouts ?? 0), 0),
      0,
    ),
  };
}

function markdown({ results, stored, cpus, cpuModel, node, duration, rounds, loadAtStart, load }) {
  const n = (v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
  const lines = [
    `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus} × ${cpuModel}, Node ${node}, NATS JetStream on the same machine, load average ${loadAtStart.toFixed(1)} at the start and ${load.toFixed(1)} at the end, ${rounds} rounds of ${duration} s per measurement, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}. Medians over the rounds:`,
    '',
    '| target | peak req/s (10 connections) | each round | CPU per request: server / nats-server (µs) | 200/s evenly paced: p50 / p99 / max (ms) | autocannon overallRate 200: p50 / p99 (ms) | failed requests |',
    '|---|---:|---|---:|---:|---:|---:|',
    ...results.map(({ name, rounds: measured, median: m }) =>
      [
        name,
        n(m.rps),
        measured.map((r) => n(r.peak.rps)).join(', '),
        `${n(m.serverCpuUs)} / ${n(m.natsCpuUs)}`,
        `${m.pacedP50} / ${m.pacedP99} / ${m.pacedMax}`,
        `${m.burstP50} / ${m.burstP99}`,
        String(m.failed),
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
    '',
    `Inputs stored in the INPUTS stream during the run: ${stored.toLocaleString('en-US')} (every accepted click and webhook is a JetStream-acknowledged message; Bolt stores nothing).`,
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
