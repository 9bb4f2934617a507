// The floor under a deploybot service's RSS (docs/benchmarks.md, "Memory (RSS) per service"):
// each case runs in a fresh `node` (with the given flags) and reports its RSS (anonymous /
// file-backed) and V8 heap used, after a full GC, 1 s after it settled:
//  - a bare `node`; a minimal Nest app on Express and on Fastify (one module, no providers,
//    listening on a free port);
//  - what requiring each of deploybot's heavier dependencies alone adds to a bare node.
// Run from the repository root: node bench/memory/floor.mjs [node flags…]
import { execFileSync } from 'node:child_process';

const flags = process.argv.slice(2);

const measure = `
  const { readFileSync } = require('node:fs');
  const kb = (t, f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB', 'm').exec(t)[1]) / 1024;
  globalThis.report = () => setTimeout(() => {
    gc();
    setTimeout(() => {
      const s = readFileSync('/proc/self/status', 'utf8');
      const m = process.memoryUsage();
      console.log(JSON.stringify({ rss: m.rss / 1048576, anon: kb(s, 'RssAnon'), file: kb(s, 'RssFile'), heap: m.heapUsed / 1048576, modules: Object.keys(require.cache).length }));
      process.exit(0);
    }, 1000);
  }, 500);
`;

const nestApp = (adapter) => `
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  class AppModule {}
  Module({})(AppModule);
  (async () => {
    ${adapter === 'fastify' ? "const { FastifyAdapter } = require('@nestjs/platform-fastify'); const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });" : 'const app = await NestFactory.create(AppModule, { logger: false });'}
    await app.listen(0, '127.0.0.1');
    report();
  })();
`;

const cases = [
  ['bare node', 'report();'],
  ['minimal Nest app, Express', nestApp('express')],
  ['minimal Nest app, Fastify', nestApp('fastify')],
  ...[
    '@nestjs/core',
    '@nestjs/microservices',
    '@nestjs/platform-express',
    '@nestjs/platform-fastify',
    '@nestjs/typeorm',
    'typeorm',
    'pg',
    'nats',
    '@kubernetes/client-node',
    '@slack/web-api',
    '@slack/socket-mode',
    'nestjs-pino',
    'prom-client',
    'zod',
    'yaml',
  ].map((name) => [`require('${name}')`, `require('reflect-metadata'); require('${name}'); report();`]),
];

const run = (code) =>
  JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', ...flags, '-e', measure + code], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop(),
  );
const f = (n) => n.toFixed(1);

console.log(`node ${process.version} ${flags.join(' ')}`);
console.log('| case | RSS (MB) | anon / file (MB) | V8 heap used (MB) | modules | RSS over bare node (MB) |');
console.log('|---|---:|---:|---:|---:|---:|');
let bare;
for (const [name, code] of cases) {
  const r = run(code);
  bare ??= r;
  console.log(
    `| ${name} | ${f(r.rss)} | ${f(r.anon)} / ${f(r.file)} | ${f(r.heap)} | ${r.modules} | ${r === bare ? '' : f(r.rss - bare.rss)} |`,
  );
}
