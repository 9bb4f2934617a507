// The whole performance suite (issue #15): `npm run bench` builds the services once, runs every
// benchmark of bench/suite/benches.mjs in turn — each measuring deploybot beside its peer in the
// same run — and writes each one's figures into docs/benchmarks.md between its markers
// (`<!-- suite:<name>:start -->` … `<!-- suite:<name>:end -->`), right after it finishes, so a
// failure later on keeps what was measured. The prose around the markers is left alone.
//
//   npm run bench [-- --only soak,flow] [--skip gateway] [--worktree [--no-build]]
//   (node scripts/run-ts.cjs bench/run-all.ts …)
//
// It measures the last commit: HEAD is exported (`git archive`) into a directory of its own,
// built there and benchmarked there, so edits in progress in the working tree — other people's
// included — are never what is measured, and the figures name the exact commit. `--worktree`
// measures the working tree instead (and says so beside the figures).
//
// Sizes come from each benchmark's own variables (BENCH_SOAK_BUILDS, BENCH_BUILDS, …), passed
// through. Each benchmark runs under `flock /tmp/bench.lock` where flock exists, so two suites
// (or a suite and someone's single benchmark) never measure each other.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCHES, type Bench } from './suite/benches';
import { replaceBetweenMarkers, separateTables } from './suite/markers';

const root = join(__dirname, '..');
const docPath = join(root, 'docs/benchmarks.md');
const args = process.argv.slice(2);
const list = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1].split(',') : undefined);
const only = list('--only');
const skip = list('--skip') ?? [];
const unknown = [...(only ?? []), ...skip].filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
const selected = BENCHES.filter((b) => (!only || only.includes(b.name)) && !skip.includes(b.name));

const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
const worktree = args.includes('--worktree');
const commit = `${git('rev-parse', '--short', 'HEAD')}${worktree && git('status', '--porcelain', 'apps', 'libs', 'bench', 'test') ? ' with the uncommitted changes of the working tree' : ''}`;

/** HEAD exported into a fresh directory, sharing node_modules; the benchmarks run there. */
function snapshotOfHead(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-bench-'));
  execFileSync('sh', ['-c', `git archive HEAD | tar -x -C '${dir}'`], { cwd: root, stdio: 'inherit' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
const hasFlock = (() => {
  try {
    execFileSync('flock', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const utc = (d: Date = new Date()) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;

/** Runs one benchmark, echoing its output; resolves with its stdout and how it ended. */
/** What one benchmark left: its stdout, how it ended, and the last error line it wrote to stderr. */
interface Result {
  stdout: string;
  ended: string;
  lastError?: string;
}

function run(bench: Bench, cwd: string): Promise<Result> {
  const [command, argv] = bench.command;
  const [cmd, cmdArgs] = hasFlock ? ['flock', ['/tmp/bench.lock', command, ...argv]] : [command, argv];
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let lastError: string | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      lastError =
        String(chunk)
          .split('\n')
          .findLast((l) => /error/i.test(l)) ?? lastError;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      process.stderr.write(`bench: ${bench.name} still running after ${bench.timeoutMin} min; stopping it\n`);
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }, bench.timeoutMin * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, ended: signal ? `stopped (${signal})` : code === 0 ? 'ok' : `exit code ${code}`, lastError });
    });
  });
}

function section(bench: Bench, result: Result, startedAt: Date, seconds: number, load: number[]): string {
  const rendered = bench.render(result.stdout);
  const figures = rendered === undefined ? undefined : separateTables(rendered);
  const command = bench.command.flat().join(' ');
  return [
    `Run of ${utc(startedAt)} by \`npm run bench\` (\`${command}\`), commit ${commit}, ${machine}; ${Math.round(seconds)} s, load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}${result.ended === 'ok' ? '' : `; **${result.ended}**${result.lastError ? ` (\`${result.lastError.trim().slice(0, 300)}\`)` : ''}`}:`,
    '',
    figures || ['```', result.stdout.trim() || '(no output)', '```'].join('\n'),
  ].join('\n');
}

function write(name: string, body: string): void {
  const doc = readFileSync(docPath, 'utf8');
  const updated = replaceBetweenMarkers(doc, name, body);
  if (updated === undefined) process.stderr.write(`bench: docs/benchmarks.md has no markers for ${name}; figures only printed\n`);
  else writeFileSync(docPath, updated);
}

async function main(): Promise<void> {
  const cwd = worktree ? root : snapshotOfHead();
  process.stderr.write(`bench: measuring ${worktree ? 'the working tree' : `commit ${commit} (exported to ${cwd})`}\n`);
  if (!worktree || !args.includes('--no-build')) execFileSync('npm', ['run', 'build'], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await runAll(cwd);
  } finally {
    if (!worktree) rmSync(cwd, { recursive: true, force: true });
  }
}

async function runAll(cwd: string): Promise<void> {
  const suiteStart = new Date();
  const summary: string[] = [];
  for (const bench of selected) {
    process.stderr.write(`bench: ${bench.name} (${bench.title})\n`);
    const startedAt = new Date();
    const load0 = loadavg()[0];
    const result = await run(bench, cwd);
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    write(bench.name, section(bench, result, startedAt, seconds, [load0, loadavg()[0]]));
    summary.push(
      `| ${bench.title} | ${utc(startedAt).slice(11)} | ${Math.round(seconds)} s | ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} | ${result.ended} |`,
    );
  }
  write(
    'summary',
    [
      `Last run: ${utc(suiteStart)}, commit ${commit}${worktree ? '' : ' (exported and built on its own)'}, ${machine}${only || skip.length ? ` (only: ${selected.map((b) => b.name).join(', ')})` : ''}.`,
      '',
      '| benchmark | started | took | load average | ended |',
      '|---|---|---:|---:|---|',
      ...summary,
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
