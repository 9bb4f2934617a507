import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import type { HeldLease } from '../leases/held-lease';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { ApplyDecision, decideApply } from './supersession';

/** Conflicts in a row before giving up: each one means another writer got in between, which the lease should prevent. */
const MAX_CONFLICTS = 5;

/**
 * Applies the order's Deployment only over an older request's: read it, decide, verify the lease
 * is still ours, and apply with the read's resourceVersion as a precondition. A 409 means it
 * changed in between: read again and decide again. So an older request can never overwrite a
 * newer one, even from a deployer that lost its lease without noticing.
 *
 * The read and the lease's check go to the API server together (one round trip, not two); what
 * comes of them is taken in the order above: a failed read is thrown first, a decision not to
 * apply stands whatever the check said, and only a decision to apply needs the check to pass.
 */
export async function applyDeploymentGuarded(
  cluster: Cluster,
  deployment: V1Deployment,
  order: DeploymentOrder,
  lease: HeldLease,
): Promise<ApplyDecision> {
  const namespace = deployment.metadata!.namespace!;
  const name = deployment.metadata!.name!;
  for (let conflicts = 0; ; conflicts++) {
    const [read, verified] = await Promise.allSettled([cluster.readDeployment(namespace, name), lease.verify()]);
    if (read.status === 'rejected') throw read.reason;
    const live = read.value;
    const decision = decideApply(live, order);
    if (!decision.apply) return decision;
    if (verified.status === 'rejected') throw verified.reason;
    try {
      await cluster.apply(deployment, { resourceVersion: live?.metadata?.resourceVersion });
      return decision;
    } catch (error) {
      if (!(error instanceof KubernetesError) || !error.conflict || conflicts + 1 >= MAX_CONFLICTS) throw error;
    }
  }
}
