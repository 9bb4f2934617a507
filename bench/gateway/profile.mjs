// Where the gateway's CPU goes per Slack click, by V8's CPU profiler (docs/gateway.md, "Where
// the CPU goes"): starts the BUILT gateway under each given `node` binary, warms it up, profiles
// it (bench/gateway/cpu-profile-preload.cjs: the profiler runs only while the measured clicks
// come) while it gets the same evenly paced clicks (bench/gateway/drive.mjs, signed like Slack's),
// and sums the profile's self time by category — JavaScript per package (node_modules/<pkg>, Node's
// own `node:` modules, deploybot's code), garbage collection, and (program): V8 and Node's native
// work outside JavaScript (parsing HTTP, compiling, the event loop) — in µs per click, beside the
// process's CPU time per click from /proc.
//
//   node bench/gateway/profile.mjs [--rate 500] [--duration 10] [node binary …]
//
// Default binaries: this `node`. Needs the built gateway (npm run build) and NATS with JetStream
// (NATS_URL, default nats://127.0.0.1:4222). Loopback only; bounded in time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds, drive, gatewayEnv, root, waitReady, writeProjectsFile } from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rate = option('--rate', 500);
const duration = option('--duration', 10);
const binaries = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (binaries.length === 0) binaries.push(process.execPath);
const port = 3915;

/** `file:///…/node_modules/@scope/name/…` → `@scope/name`; `node:…` → `node (core)`; the repository's own code → `deploybot`. */
function ownerOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native or builtin)';
  if (url.startsWith('node:')) return 'node (core)';
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return url.includes('/dist/') ? 'deploybot' : url;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const functions = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    const { url, functionName } = node.callFrame;
    // (idle): the event loop waiting, not CPU; node:inspector's post: the profiler stopping and
    // serializing its profile (the end of the window), not the gateway's work.
    if (functionName === '(idle)' || url === 'node:inspector') continue;
    const owner = ownerOf(url, functionName);
    self.set(owner, (self.get(owner) ?? 0) + dt);
    const key = `${functionName || '(anonymous)'} ${owner}${url.startsWith('node:') ? ` (${url}:${node.callFrame.lineNumber + 1})` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + dt);
  }
  return { self, functions };
}

async function profileWith(node, dir) {
  const config = writeProjectsFile(dir);
  const profile = join(mkdtempSync(join(dir, 'prof-')), 'gateway.cpuprofile');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const gateway = spawn(
    node,
    ['--require', join(root, 'bench/gateway/cpu-profile-preload.cjs'), join(root, 'dist/apps/gateway/apps/gateway/src/main.js')],
    {
      cwd: root,
      env: {
        ...process.env,
        ...gatewayEnv({ port, prefix: `prof${Date.now().toString(36)}`, config, logLevel: 'warn' }),
        CPU_PROFILE_FILE: profile,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitReady(port);
    const clicksFor = (seconds) =>
      drive({
        kind: 'slack',
        url: `http://127.0.0.1:${port}/slack/interactions`,
        mode: 'paced',
        rate,
        duration: seconds,
        connections: 50,
        run: 1,
      });
    clicksFor(3); // warm-up: the JIT, the connections, JetStream's stream
    // CPU per click unprofiled, then the same clicks profiled (the profiler costs CPU of its own).
    const before = cpuSeconds(gateway.pid);
    clicksFor(duration);
    const cpu = cpuSeconds(gateway.pid) - before;
    const clicks = rate * duration;
    gateway.kill('SIGWINCH'); // the profiler starts
    clicksFor(duration);
    gateway.kill('SIGWINCH'); // … and stops, writing the profile
    for (let i = 0; i < 100 && !existsSync(profile); i++) await sleep(100);
    if (!existsSync(profile)) throw new Error(`${version}: the gateway wrote no CPU profile`);
    const written = readFileSync(profile, 'utf8');
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    return { version, clicks, cpuUsPerClick: (cpu * 1e6) / clicks, ...summarize(JSON.parse(written)) };
  } finally {
    if (gateway.exitCode === null) gateway.kill('SIGKILL');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-profile-'));
const runs = [];
for (const node of binaries) runs.push(await profileWith(node, dir));

// The profile's shares of busy time (idle left out) applied to the measured CPU per click. The
// profiler samples the main thread only: the share of GC and compiling done on V8's worker threads
// shows in the measured CPU, not in the split.
console.log(
  `\n${rate} clicks/s for ${duration} s, paced; µs of CPU per click (the process's, from /proc), split by the profile's shares:\n`,
);
const owners = [...new Set(runs.flatMap((r) => [...r.self.keys()]))];
const share = (r, owner) => (r.self.get(owner) ?? 0) / [...r.self.values()].reduce((a, b) => a + b, 0);
const rows = owners
  .map((owner) => ({ owner, values: runs.map((r) => share(r, owner) * r.cpuUsPerClick) }))
  .filter((row) => row.values.some((v) => v >= 2))
  .sort((a, b) => b.values[b.values.length - 1] - a.values[a.values.length - 1]);
console.log(`| where | ${runs.map((r) => `Node ${r.version}`).join(' | ')} |`);
console.log(`|---|${runs.map(() => '---:').join('|')}|`);
console.log(`| **CPU per click (µs)** | ${runs.map((r) => `**${r.cpuUsPerClick.toFixed(0)}**`).join(' | ')} |`);
for (const row of rows) console.log(`| ${row.owner} | ${row.values.map((v) => v.toFixed(0)).join(' | ')} |`);
for (const r of runs) {
  const total = [...r.functions.values()].reduce((a, b) => a + b, 0);
  const top = [...r.functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`\nNode ${r.version}: the 12 functions with the most self time (share of the profile)`);
  for (const [name, t] of top) console.log(`  ${((100 * t) / total).toFixed(1).padStart(5)} %  ${name}`);
}
