import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '@app/platform';

/**
 * Loads the cluster credentials the way kubectl does: the KUBECONFIG file(s) when given,
 * else ~/.kube/config, else the pod's service account (in-cluster).
 * A given kubeconfig that cannot be read, or names no cluster, is a ConfigError (the
 * deployer exits at start naming the file, like any other configuration problem).
 */
export function loadKubeConfig(kubeconfig: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (!kubeconfig) {
    kc.loadFromDefault();
    return kc;
  }
  const [first, ...rest] = kubeconfig.split(delimiter).filter(Boolean);
  try {
    kc.loadFromFile(first);
    for (const file of rest) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      // As kubectl: the first file that sets a current context decides it.
      kc.mergeConfig(more, Boolean(kc.currentContext));
    }
  } catch (error) {
    throw new ConfigError('KUBECONFIG', [`cannot load ${kubeconfig}: ${(error as Error).message}`]);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError('KUBECONFIG', [`${kubeconfig} has no current context with a cluster`]);
  return kc;
}
