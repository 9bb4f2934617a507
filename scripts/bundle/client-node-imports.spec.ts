import { describe, expect, it } from '@jest/globals';
import { clientNodeNames, clientNodeNamesOf, narrowedEntry, UnsupportedClientNodeUse } from './client-node-imports';

// tsc's CommonJS output of `import { KubeConfig, Watch } from '@kubernetes/client-node'` and their uses.
const adapter = [
  '"use strict";',
  'const client_node_1 = require("@kubernetes/client-node");',
  'const kc = new client_node_1.KubeConfig();',
  'const watch = new client_node_1.Watch(kc);',
  'const api = (0, client_node_1.createConfiguration)({});',
  'const strategy = client_node_1.PatchStrategy.ServerSideApply;',
].join('\n');

describe("what the deployer's compiled code takes from @kubernetes/client-node", () => {
  it('reads the names a named import left in the compiled output', () => {
    expect(clientNodeNames('adapter.js', adapter)).toEqual(['KubeConfig', 'PatchStrategy', 'Watch', 'createConfiguration']);
  });

  it('finds nothing in a file that does not require the package (type-only imports leave no require)', () => {
    expect(clientNodeNames('manifest.js', '"use strict";\nexports.deployment = (name) => ({ kind: "Deployment", name });')).toEqual([]);
  });

  it('joins the names of every file', () => {
    const other = 'var client_node_2 = require("@kubernetes/client-node");\nnew client_node_2.KubernetesObjectApi();';
    expect(
      clientNodeNamesOf([
        { file: 'a.js', source: adapter },
        { file: 'b.js', source: other },
      ]),
    ).toEqual(['KubeConfig', 'KubernetesObjectApi', 'PatchStrategy', 'Watch', 'createConfiguration']);
  });

  it.each([
    [
      'a deep import',
      'const gen_1 = require("@kubernetes/client-node/dist/gen/index.js");',
      /requires "@kubernetes\/client-node\/dist\/gen\/index.js"/,
    ],
    ['a namespace import', 'const k8s = __importStar(require("@kubernetes/client-node"));', /other than as `const x = require/],
    ['the module passed on whole', `${adapter}\nregister(client_node_1);`, /uses "client_node_1" other than as client_node_1.Name/],
    ['an indexed read', `${adapter}\nconst Kind = client_node_1[name];`, /uses "client_node_1" other than/],
    ['a dynamic import', 'const k8s = await import("@kubernetes/client-node");', /imports "@kubernetes\/client-node" dynamically/],
  ])('refuses %s, which would need the whole package', (_, source, message) => {
    expect(() => clientNodeNames('x.js', source)).toThrow(UnsupportedClientNodeUse);
    expect(() => clientNodeNames('x.js', source)).toThrow(message);
  });

  it('narrows the package to those names, and refuses to narrow it to nothing', () => {
    expect(narrowedEntry(['KubeConfig', 'Watch'])).toBe("export { KubeConfig, Watch } from '@kubernetes/client-node';\n");
    expect(() => narrowedEntry([])).toThrow(/nothing is read/);
  });
});
