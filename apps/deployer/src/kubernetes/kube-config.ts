import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads the cluster credentials the way kubectl does: the KUBECONFIG file(s) when given,
 * else ~/.kube/config, else the pod's service account (in-cluster).
 * Throws with the file name when a given kubeconfig cannot be read.
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
      kc.mergeConfig(more);
    }
  } catch (error) {
    throw new Error(`KUBECONFIG: cannot load ${kubeconfig}: ${(error as Error).message}`);
  }
  if (!kc.getCurrentCluster()) throw new Error(`KUBECONFIG: ${kubeconfig} has no current context with a cluster`);
  return kc;
}
