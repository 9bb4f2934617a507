import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BuildClosed, PreviewTornDown } from '@app/contracts';
import { APP_CONFIG, PermanentError } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { CLUSTER } from '../kubernetes/cluster.port';
import type { Cluster, ObjectRef } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { AnnotationKeys, LabelKeys, MANAGED_BY } from '../manifests/workload-labels';
import { workloadName } from '../naming/naming';
import { previewTornDown } from './outcome-envelopes';

/** Route kinds first: traffic stops before its backend goes. Mapping is skipped where its CRD is absent. */
const PREVIEW_KINDS = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
] as const;

/**
 * Deletes a closed build's preview — only objects deploybot manages that still carry this
 * build's id: a newer build of the same branch reuses the names, and its objects stay.
 */
@Injectable()
export class PreviewTeardown {
  private readonly logger = new Logger('PreviewTeardown');

  constructor(
    @Inject(CLUSTER) private readonly cluster: Cluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async tearDown(closed: BuildClosed): Promise<PreviewTornDown> {
    const { buildId, project: projectId, type, target } = closed.data;
    const project = this.config.projects.get(projectId);
    if (!project) throw new PermanentError(`cannot tear down build ${buildId}: project "${projectId}" is not in the deployer's projects file`);
    const name = workloadName({ environment: 'preview', project: projectId, type, target });
    const deleted: string[] = [];
    for (const kind of PREVIEW_KINDS) {
      const ref: ObjectRef = { ...kind, namespace: project.namespace, name };
      if (await this.deleteIfOfBuild(ref, buildId)) deleted.push(`${kind.kind}/${name}`);
    }
    this.logger.log({ msg: 'preview torn down', buildId, correlationId: closed.correlationId, namespace: project.namespace, deleted });
    return previewTornDown(closed, project.namespace, deleted, new Date());
  }

  private async deleteIfOfBuild(ref: ObjectRef, buildId: string): Promise<boolean> {
    let live;
    try {
      live = await this.cluster.read(ref);
    } catch (error) {
      if (error instanceof KubernetesError && error.kindNotServed) return false;
      throw error;
    }
    const meta = live?.metadata;
    if (!meta || meta.labels?.[LabelKeys.managedBy] !== MANAGED_BY || meta.annotations?.[AnnotationKeys.buildId] !== buildId) return false;
    // The precondition makes the delete fail if a newer build re-applied the object since the read.
    return this.cluster.delete(ref, { uid: meta.uid, resourceVersion: meta.resourceVersion });
  }
}
