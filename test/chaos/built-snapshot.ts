import { execFileSync, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, REPO_ROOT, SERVICES, type ServiceName } from '../e2e/support/built-services';

/** Where the services' `main.js` of a snapshot are, and how to remove the snapshot. */
export interface BuiltSnapshot {
  source: string;
  entry(service: ServiceName): string;
  remove(): void;
}

/**
 * The build the run starts and restarts, copied so that a rebuild by someone else mid-run
 * changes nothing:
 * - `tree` (default): the working tree, built with `npm run build` when dist is older than
 *   the sources (as the e2e suite does), then dist/apps copied aside;
 * - `head` (or any commit): exported with `git archive` into dist/chaos/commit-<sha> and built
 *   there (node_modules linked): for a run while others' edits in the tree are half done, or to
 *   compare commits. Kept for the next run of the same commit.
 */
export function builtSnapshot(source: string, build: boolean): BuiltSnapshot {
  if (source !== 'tree') return commitSnapshot(source === 'head' ? 'HEAD' : source);
  if (build) ensureBuilt();
  const dir = join(REPO_ROOT, 'dist', 'chaos', `run-${process.pid}-${Date.now()}`);
  for (const service of SERVICES) cpSync(join(REPO_ROOT, 'dist', 'apps', service), join(dir, service), { recursive: true });
  return {
    source: 'working tree',
    entry: (service) => join(dir, service, 'apps', service, 'src', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function commitSnapshot(rev: string): BuiltSnapshot {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: REPO_ROOT })
    .toString()
    .trim();
  const dir = join(REPO_ROOT, 'dist', 'chaos', `commit-${sha.slice(0, 12)}`);
  const entry = (service: ServiceName) => join(dir, 'dist', 'apps', service, 'apps', service, 'src', 'main.js');
  if (!SERVICES.every((s) => existsSync(entry(s)))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} | tar -x -C ${JSON.stringify(dir)}`, { cwd: REPO_ROOT, stdio: 'inherit', timeout: 120_000 });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    process.stderr.write(`chaos: building commit ${sha.slice(0, 12)} in ${dir}\n`);
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  }
  return { source: `commit ${sha.slice(0, 12)}`, entry, remove: () => undefined };
}
