import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConfigError } from '@app/platform';
import { loadKubeConfig } from './kube-config';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const cluster = (name: string, server: string) => `
apiVersion: v1
kind: Config
clusters: [{ name: ${name}, cluster: { server: "${server}" } }]
users: [{ name: ${name}-user, user: { token: t } }]
contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name}-user } }]
current-context: ${name}
`;

function configError(kubeconfig: string): ConfigError {
  try {
    loadKubeConfig(kubeconfig);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loading KUBECONFIG', () => {
  it('loads a kubeconfig file and its current cluster', () => {
    expect(loadKubeConfig(file('a.yml', cluster('a', 'https://a.example.org:6443'))).getCurrentCluster()?.server).toBe(
      'https://a.example.org:6443',
    );
  });

  it('merges several files like kubectl, the first one choosing the context', () => {
    const kc = loadKubeConfig(
      [file('b.yml', cluster('b', 'https://b.example.org')), file('c.yml', cluster('c', 'https://c.example.org'))].join(delimiter),
    );
    expect(kc.getCurrentCluster()?.server).toBe('https://b.example.org');
    expect(
      kc
        .getClusters()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['b', 'c']);
  });

  it('is a configuration error, naming the file, when the file cannot be read', () => {
    const error = configError(join(dir, 'missing.yml'));
    expect(error.source).toBe('KUBECONFIG');
    expect(error.message).toMatch(/^invalid configuration in KUBECONFIG:\n {2}- cannot load .*missing\.yml: /);
  });

  it('is a configuration error when no current context names a cluster', () => {
    const path = file('none.yml', 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(configError(path).problems).toEqual([`${path} has no current context with a cluster`]);
  });
});
