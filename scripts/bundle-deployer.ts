/**
 * Second step of `npm run build`, after `nest build --all`: makes the deployer's entry point
 * (dist/apps/deployer/apps/deployer/src/main.js — the command stays the same) one file holding the
 * deployer's own compiled code and only the part of @kubernetes/client-node it uses.
 *
 * Why: the package's index loads every generated API and model of Kubernetes — two of its files
 * alone, ObservableAPI.js and PromiseAPI.js, are 14 MB of source that V8 keeps as strings — while
 * the deployer uses KubeConfig, KubernetesObjectApi, Watch and a handful of helpers. Loading the
 * package cost the deployer ≈ 30 MB of its 150 MB at idle (docs/benchmarks.md, "Memory (RSS) per
 * service"). The bundle keeps client-node's code as it is, drops what nothing reaches (16 MB of
 * client-node's source → ≈ 1 MB), and leaves every other package (Nest, nats, pg, undici, …) to
 * be loaded from node_modules as before.
 *
 * Run: node scripts/run-ts.cjs scripts/bundle-deployer.ts (idempotent: an entry point already
 * bundled is left alone; `nest build` writes a fresh one).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { clientNodeNamesOf, narrowedEntry, PACKAGE } from './bundle/client-node-imports';

const root = resolve(__dirname, '..');
const built = join(root, 'dist/apps/deployer');
const entry = join(built, 'apps/deployer/src/main.js');
const BANNER = '// deploybot: the deployer bundled by scripts/bundle-deployer.ts (only what it uses of @kubernetes/client-node)';

/** Only @kubernetes/client-node goes into the bundle, narrowed to `names`; every other package stays external. */
function onlyClientNode(names: readonly string[]): Plugin {
  return {
    name: 'deploybot-only-client-node',
    setup(b) {
      // The deployer's code gets the narrowed entry instead of the package's index; the narrowed
      // entry itself (namespace `narrowed`) and client-node's own files resolve the package normally.
      b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) =>
        args.namespace === 'narrowed' || args.importer.includes('/node_modules/') ? undefined : { path: PACKAGE, namespace: 'narrowed' },
      );
      b.onLoad({ filter: /.*/, namespace: 'narrowed' }, () => ({ contents: narrowedEntry(names), resolveDir: root, loader: 'js' }));
      // Any other bare specifier — another package, or client-node's own dependencies — is loaded at run time.
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.path === PACKAGE ? undefined : { path: args.path, external: true }));
    },
  };
}

async function main(): Promise<void> {
  const current = readFileSync(entry, 'utf8');
  if (current.startsWith(BANNER)) {
    console.log(`${relative(root, entry)} is already bundled`);
    return;
  }
  const files = readdirSync(built, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => ({ file: join('dist/apps/deployer', file), source: readFileSync(join(built, file), 'utf8') }));
  const names = clientNodeNamesOf(files);

  const result = await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node26',
    // Nest and the logs use class and function names.
    keepNames: true,
    sourcemap: 'linked',
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
    plugins: [onlyClientNode(names)],
  });
  for (const output of result.outputFiles) writeFileSync(output.path, output.contents);

  const bytes = { deploybot: 0, clientNode: 0 };
  for (const [input, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {})) {
    if (input.includes(`node_modules/${PACKAGE}/`)) bytes.clientNode += bytesInOutput;
    else bytes.deploybot += bytesInOutput;
  }
  const kb = (n: number) => `${Math.round(n / 1024)} KB`;
  console.log(
    `bundled ${relative(root, entry)}: the deployer's code ${kb(bytes.deploybot)}, ${PACKAGE} ${kb(bytes.clientNode)} (for ${names.join(', ')})`,
  );
}

main().catch((error: unknown) => {
  console.error(`bundle-deployer: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
