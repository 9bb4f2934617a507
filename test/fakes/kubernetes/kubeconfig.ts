import { stringify } from 'yaml';

/**
 * A kubeconfig for the fake: one cluster, one token user, namespace "default".
 * The server is the fake's https:// URL: kubectl leaves the token out on plain http
 * (kubernetes/kubectl#744). insecure-skip-tls-verify accepts the throwaway certificate; it is also
 * what @kubernetes/client-node needs for an http:// server ("HTTP protocol is not allowed when
 * skipTLSVerify is not set or false"), so the same entry works for either URL.
 */
export const kubeconfigYaml = (url: string, token: string, namespace = 'default'): string =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'deploybot-fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'deploybot-fake', user: { token } }],
    contexts: [{ name: 'deploybot-fake', context: { cluster: 'deploybot-fake', user: 'deploybot-fake', namespace } }],
    'current-context': 'deploybot-fake',
    preferences: {},
  });
