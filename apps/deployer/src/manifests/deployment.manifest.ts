import type { V1Deployment, V1ResourceRequirements } from '@kubernetes/client-node';
import type { ProjectConfig, ResourcesConfig, Workload } from '@app/platform';
import { containerSettings, podSecurityContext } from './container.manifest';
import type { DeploymentOrder, ManifestSettings } from './deployment-order';
import { AnnotationKeys, selectorLabels, workloadAnnotations, workloadLabels } from './workload-labels';

/** The one container of a workload is called `app`; failure reasons name it. */
export const CONTAINER_NAME = 'app';

/** The Deployment that runs the build's image with the project's port and the environment's workload settings. */
export function deploymentManifest(
  order: DeploymentOrder,
  name: string,
  project: ProjectConfig,
  workload: Workload,
  settings: ManifestSettings,
): V1Deployment {
  const labels = workloadLabels(order.identity, name, workload.labels);
  const annotations = workloadAnnotations(order.buildId, workload.annotations);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: workload.namespace,
      labels,
      annotations: { ...annotations, [AnnotationKeys.requestedAt]: order.requestedAt },
    },
    spec: {
      replicas: workload.replicas,
      progressDeadlineSeconds: settings.progressDeadlineSeconds,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(name) },
      template: {
        // The build and request ids on the template change the pod template hash: a new build rolls
        // out even when its image tag is the same as the last one's, and a retry gets new pods.
        metadata: { labels, annotations: { ...annotations, [AnnotationKeys.requestId]: order.requestId } },
        spec: {
          securityContext: podSecurityContext(workload.securityContext),
          containers: [
            {
              name: CONTAINER_NAME,
              image: order.image,
              ports: [{ name: 'http', containerPort: project.port, protocol: 'TCP' }],
              ...(workload.resources ? { resources: resourceRequirements(workload.resources) } : {}),
              ...containerSettings(workload),
            },
          ],
          ...(project.imagePullSecrets.length ? { imagePullSecrets: project.imagePullSecrets.map((secret) => ({ name: secret })) } : {}),
        },
      },
    },
  };
}

type ResourceList = { cpu?: string | number; memory?: string | number };

function resourceRequirements(resources: ResourcesConfig): V1ResourceRequirements {
  const quantities = (list?: ResourceList) =>
    list &&
    Object.fromEntries(
      Object.entries(list)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
  return {
    ...(resources.requests ? { requests: quantities(resources.requests) } : {}),
    ...(resources.limits ? { limits: quantities(resources.limits) } : {}),
  };
}
