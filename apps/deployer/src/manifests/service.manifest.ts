import type { V1Service } from '@kubernetes/client-node';
import type { ProjectConfig, Workload } from '@app/platform';
import type { DeploymentOrder } from './deployment-order';
import { selectorLabels, workloadAnnotations, workloadLabels } from './workload-labels';

/** A ClusterIP Service in front of the workload's pods, on the project's port. */
export function serviceManifest(order: DeploymentOrder, name: string, project: ProjectConfig, workload: Workload): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: workload.namespace,
      labels: workloadLabels(order.identity, name, workload.labels),
      annotations: workloadAnnotations(order.buildId, workload.annotations),
    },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: 'http', port: project.port, targetPort: project.port, protocol: 'TCP' }],
    },
  };
}
