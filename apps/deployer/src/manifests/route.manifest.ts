import type { V1Ingress } from '@kubernetes/client-node';
import type { ProjectConfig, Workload } from '@app/platform';
import type { AmbassadorMapping } from './ambassador-mapping';
import type { DeploymentOrder } from './deployment-order';
import { workloadAnnotations, workloadLabels } from './workload-labels';

export type Route = V1Ingress | AmbassadorMapping;

/**
 * What makes the workload reachable at its URL: an Ingress by default, or the Ambassador
 * Mapping the original ci-bot used (`route.kind: ambassador-mapping`).
 */
export function routeManifest(order: DeploymentOrder, name: string, project: ProjectConfig, workload: Workload): Route {
  const url = new URL(order.url);
  const metadata = {
    name,
    namespace: workload.namespace,
    labels: workloadLabels(order.identity, name, workload.labels),
    annotations: workloadAnnotations(order.buildId, workload.annotations),
  };
  const kind = project.route.kind;
  switch (kind) {
    case 'ingress':
      return ingress(metadata, url, name, project);
    case 'ambassador-mapping':
      return mapping(metadata, url, name, project);
    default: {
      const _exhaustive: never = kind;
      throw new Error(`unknown route kind ${String(_exhaustive)}`);
    }
  }
}

type Metadata = AmbassadorMapping['metadata'];

function ingress(metadata: Metadata, url: URL, name: string, project: ProjectConfig): V1Ingress {
  const { ingressClassName, tlsSecretName } = project.route;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata,
    spec: {
      ...(ingressClassName ? { ingressClassName } : {}),
      ...(tlsSecretName && url.protocol === 'https:' ? { tls: [{ hosts: [url.hostname], secretName: tlsSecretName }] } : {}),
      rules: [
        {
          host: url.hostname,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: project.port } } } }] },
        },
      ],
    },
  };
}

function mapping(metadata: Metadata, url: URL, name: string, project: ProjectConfig): AmbassadorMapping {
  const { ambassadorId } = project.route;
  return {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata,
    spec: {
      hostname: url.hostname,
      prefix: '/',
      service: `${name}.${metadata.namespace}:${project.port}`,
      ...(ambassadorId ? { ambassador_id: [ambassadorId] } : {}),
    },
  };
}
