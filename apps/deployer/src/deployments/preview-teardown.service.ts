import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PreviewTornDown } from '@app/contracts';
import { APP_CONFIG, PermanentError } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { CLUSTER } from '../kubernetes/cluster.port';
import type { Cluster, ClusterObject, ObjectRef } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { leaseRef } from '../leases/workload-lease';
import { LeaseWaitExpired, WorkloadLocks } from '../leases/workload-locks';
import { AnnotationKeys, LabelKeys, MANAGED_BY } from '../manifests/workload-labels';
import { legacyPreviewName, workloadName } from '../naming/naming';
import type { TeardownOrder } from './deployment-orders';
import { previewTornDown } from './outcome-envelopes';

/** Route kinds first: traffic stops before its backend goes. Mapping is skipped where its CRD is absent. */
const PREVIEW_KINDS = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
] as const;

/** Reads and deletes in a row that find the object changed in between, before the teardown is retried later. */
const MAX_CONFLICTS = 3;

/**
 * Deletes a build's preview — only objects deploybot manages that still carry this build's id:
 * a newer build of the same branch reuses the names, and its objects stay. Objects named by the
 * previous naming scheme (`<project>-<type>-<target>`, applied by older versions) go the same way.
 * Holds the workload's Lease meanwhile, so a teardown never interleaves with a deployment.
 */
@Injectable()
export class PreviewTeardown {
  private readonly logger = new Logger('PreviewTeardown');

  constructor(
    @Inject(CLUSTER) private readonly cluster: Cluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEPLOYER_OPTIONS) private readonly options: DeployerOptions,
    private readonly locks: WorkloadLocks,
  ) {}

  /** Throws (to be redelivered) when the workload stays busy for a whole rollout timeout, and `Interrupted` at shutdown. */
  async tearDown(order: TeardownOrder, shutdown: AbortSignal): Promise<PreviewTornDown> {
    const { buildId, identity } = order;
    const project = this.config.projects.get(identity.project);
    if (!project)
      throw new PermanentError(`cannot tear down build ${buildId}: project "${identity.project}" is not in the deployer's projects file`);
    const name = workloadName(identity);
    const namespace = project.previewNamespace;
    // A teardown competes with no request: it waits its turn and deletes only what is still its build's.
    const until = Date.now() + this.config.env.ROLLOUT_TIMEOUT_SECONDS * 1000;
    const lease = await this.locks
      .acquire(leaseRef(namespace, name), { holder: `${this.options.instanceId}/${order.requestId}` }, until, shutdown)
      .catch((error) => {
        if (error instanceof LeaseWaitExpired)
          throw new Error(`cannot tear down build ${buildId} yet: ${error.message}; trying again later`);
        throw error;
      });
    const deleted: string[] = [];
    try {
      // Previews made before the project had a previewNamespace live in its namespace: look there too.
      for (const where of new Set([namespace, project.namespace])) {
        for (const objectName of [name, legacyPreviewName(identity)]) {
          for (const kind of PREVIEW_KINDS) {
            const ref: ObjectRef = { ...kind, namespace: where, name: objectName };
            const label = where === namespace ? `${kind.kind}/${objectName}` : `${where}/${kind.kind}/${objectName}`;
            if (await this.deleteIfOfBuild(ref, buildId)) deleted.push(label);
          }
        }
      }
    } finally {
      await lease.release();
    }
    this.logger.log({
      msg: 'preview torn down',
      buildId,
      correlationId: order.correlationId,
      requestId: order.requestId,
      namespace,
      deleted,
    });
    return previewTornDown(order, namespace, deleted, new Date());
  }

  private async deleteIfOfBuild(ref: ObjectRef, buildId: string): Promise<boolean> {
    for (let conflicts = 0; ; conflicts++) {
      let live: ClusterObject | undefined;
      try {
        live = await this.cluster.read(ref);
      } catch (error) {
        if (error instanceof KubernetesError && error.kindNotServed) return false;
        throw error;
      }
      const meta = live?.metadata;
      if (!meta || meta.labels?.[LabelKeys.managedBy] !== MANAGED_BY || meta.annotations?.[AnnotationKeys.buildId] !== buildId)
        return false;
      try {
        // The precondition makes the delete fail if a newer build re-applied the object since the read: then read again.
        return await this.cluster.delete(ref, { uid: meta.uid, resourceVersion: meta.resourceVersion });
      } catch (error) {
        if (!(error instanceof KubernetesError) || !error.conflict || conflicts + 1 >= MAX_CONFLICTS) throw error;
      }
    }
  }
}
