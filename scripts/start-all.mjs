#!/usr/bin/env node
// `npm start`: runs the four built services side by side in this terminal, each line
// prefixed with its service; SIGINT/SIGTERM stop them gracefully. If one of them exits,
// the others are stopped too, so a broken configuration is never left half running.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

const services = ['approvals', 'deployer', 'notifier', 'gateway'];
const entry = (service) => `dist/apps/${service}/apps/${service}/src/main.js`;

const missing = services.filter((s) => !existsSync(entry(s)));
if (missing.length) {
  console.error(`not built yet: ${missing.join(', ')} — run \`npm run build\` first`);
  process.exit(1);
}

const children = new Map();
let stopping = false;
let exitCode = 0;

for (const service of services) {
  const child = spawn(process.execPath, [entry(service)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  children.set(service, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${service.padEnd(9)} | ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(service);
    if (!stopping) {
      console.error(`${service} exited (${signal ?? `code ${code}`}); stopping the others`);
      exitCode = code || 1;
      stop('SIGTERM');
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

function stop(signal) {
  stopping = true;
  for (const child of children.values()) child.kill(signal);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
}

process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));
