// Runs main.ts without a build step: Node 20 cannot load TypeScript, so .ts files under this folder are
// transpiled to CommonJS on require with @swc/core (already a dev dependency, used by jest).
// Usage: node test/fakes/kubernetes/run.cjs [--port 0] [--time-scale 1] [--kubeconfig /tmp/kubeconfig]
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

require('./main.ts');
