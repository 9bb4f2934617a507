import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { type ProjectConfig, workloadOf } from '@app/platform';
import { workloadName } from '../naming/naming';
import type { DeploymentOrder, ManifestSettings } from './deployment-order';
import { deploymentManifest } from './deployment.manifest';
import { Route, routeManifest } from './route.manifest';
import { serviceManifest } from './service.manifest';

/** Everything applied for one workload, in apply order (the route last: it points at the Service). */
export interface WorkloadManifests {
  name: string;
  namespace: string;
  deployment: V1Deployment;
  service: V1Service;
  route: Route;
}

/** The typed objects for one deployment order; pure, so what is applied can be read in a test. */
export function workloadManifests(order: DeploymentOrder, project: ProjectConfig, settings: ManifestSettings): WorkloadManifests {
  const name = workloadName(order.identity);
  const workload = workloadOf(project, order.identity.environment);
  return {
    name,
    namespace: workload.namespace,
    deployment: deploymentManifest(order, name, project, workload, settings),
    service: serviceManifest(order, name, project, workload),
    route: routeManifest(order, name, project, workload),
  };
}
