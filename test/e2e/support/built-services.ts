import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The four deploybot services, as an operator starts them (`npm run start:<service>`). */
export const SERVICES = ['gateway', 'approvals', 'deployer', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** jest runs from the repository root (where jest.config.mjs is), as do `npm run` scripts. */
export const REPO_ROOT = process.cwd();

/** The built entry point `npm run start:<service>` runs. */
export const entryPoint = (service: ServiceName): string => join(REPO_ROOT, 'dist', 'apps', service, 'apps', service, 'src', 'main.js');

const newestSource = (dir: string): number => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.ts$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
};

const builtAt = (service: ServiceName): number => {
  try {
    return statSync(entryPoint(service)).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * The e2e tests run the BUILT services (dist), like an operator. When dist is missing or older
 * than any source file of apps/ or libs/, builds everything once (`npm run build`: `nest build
 * --all`, then the deployer's bundle).
 */
export function ensureBuilt(): void {
  const sources = Math.max(newestSource(join(REPO_ROOT, 'apps')), newestSource(join(REPO_ROOT, 'libs')));
  const oldestBuild = Math.min(...SERVICES.map(builtAt));
  if (oldestBuild >= sources) return;
  process.stderr.write('e2e: dist is missing or older than the sources; running `npm run build`\n');
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}
