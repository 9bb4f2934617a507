// Runs a TypeScript entry point of this repository without a build step (the demo, the
// benchmarks): Node 20 cannot load .ts, so .ts files are transpiled to CommonJS on require
// with @swc/core (a dev dependency, the same compiler jest uses), and the @app/* path
// aliases of tsconfig.json are resolved to libs/*/src.
// Usage: node scripts/run-ts.cjs <file.ts> [args…]
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = { '@app/contracts': 'libs/contracts/src', '@app/platform': 'libs/platform/src' };

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [alias, target] of Object.entries(aliases)) {
    if (request === alias || request.startsWith(`${alias}/`)) {
      request = path.join(root, target, request.slice(alias.length));
      break;
    }
  }
  return resolveFilename.call(this, request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.cjs <file.ts> [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
