import type { V1Service } from '@kubernetes/client-node';
import type { ProjectConfig } from '@app/platform';
import type { DeploymentOrder } from './deployment-order';
import { AnnotationKeys, selectorLabels, workloadLabels } from './workload-labels';

/** A ClusterIP Service in front of the workload's pods, on the project's port. */
export function serviceManifest(order: DeploymentOrder, name: string, project: ProjectConfig): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: project.namespace,
      labels: workloadLabels(order.identity, name),
      annotations: { [AnnotationKeys.buildId]: order.buildId },
    },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: 'http', port: project.port, targetPort: project.port, protocol: 'TCP' }],
    },
  };
}
