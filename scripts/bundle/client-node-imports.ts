/**
 * What the deployer's compiled JavaScript takes from @kubernetes/client-node at run time, read from
 * tsc's CommonJS output: `const client_node_1 = require("@kubernetes/client-node");` and then only
 * `client_node_1.Name` (type-only imports leave no trace in the output). Any other use — a deep
 * import, the whole module passed on, `import()` — cannot be narrowed to names and is refused, so
 * the bundle never lacks what the code reads.
 */
export const PACKAGE = '@kubernetes/client-node';
const REQUIRE = /require\("(@kubernetes\/client-node[^"]*)"\)/g;
const BINDING = /(?:const|var|let) (\w+) = require\("@kubernetes\/client-node"\);/g;

export class UnsupportedClientNodeUse extends Error {}

/** The names one compiled file reads from @kubernetes/client-node (none if it does not require it). */
export function clientNodeNames(file: string, source: string): string[] {
  const requires = [...source.matchAll(REQUIRE)];
  const deep = requires.find(([, specifier]) => specifier !== PACKAGE);
  if (deep) throw new UnsupportedClientNodeUse(`${file}: requires "${deep[1]}"; only the package itself ("${PACKAGE}") can be narrowed`);
  if (source.includes(`import("${PACKAGE}`) || source.includes(`import('${PACKAGE}`)) {
    throw new UnsupportedClientNodeUse(`${file}: imports "${PACKAGE}" dynamically; import it statically`);
  }
  const bindings = [...source.matchAll(BINDING)].map(([, binding]) => binding);
  if (bindings.length !== requires.length) {
    throw new UnsupportedClientNodeUse(
      `${file}: requires "${PACKAGE}" other than as \`const x = require("${PACKAGE}")\` (expected tsc's output of a named import)`,
    );
  }
  const names = new Set<string>();
  for (const binding of bindings) {
    // Every use of the binding must be `binding.Name`; the binding alone (passed on, spread,
    // indexed) would need the whole module.
    for (const use of source.matchAll(new RegExp(`\\b${binding}\\b(\\.(\\w+))?`, 'g'))) {
      const [whole, , name] = use;
      if (name) names.add(name);
      else if (!source.startsWith(`${binding} = require(`, use.index)) {
        throw new UnsupportedClientNodeUse(`${file}: uses "${whole}" other than as ${binding}.Name (the whole of "${PACKAGE}")`);
      }
    }
  }
  return [...names].sort();
}

/** The names all the files read together. */
export function clientNodeNamesOf(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const names = new Set<string>();
  for (const { file, source } of files) for (const name of clientNodeNames(file, source)) names.add(name);
  return [...names].sort();
}

/** The ES module the bundler puts in place of the package for the deployer's code: those names only. */
export function narrowedEntry(names: readonly string[]): string {
  if (names.length === 0) throw new UnsupportedClientNodeUse(`nothing is read from "${PACKAGE}": there is nothing to narrow`);
  return `export { ${names.join(', ')} } from '${PACKAGE}';\n`;
}
