import { DynamicModule, Module } from '@nestjs/common';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { CLUSTER } from '../kubernetes/cluster.port';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesModule } from '../kubernetes/kubernetes.module';
import { WorkloadLocks } from '../leases/workload-locks';
import { DeploymentRequestsController } from './deployment-requests.controller';
import { PreviewTeardown } from './preview-teardown.service';
import { WorkloadDeployer } from './workload-deployer.service';

/** Deploy, watch, report; tear previews down — one request per workload at a time. */
@Module({})
export class DeploymentsModule {
  static forRoot(options: DeployerOptions, kubeConfig: KubeConfig): DynamicModule {
    return {
      module: DeploymentsModule,
      imports: [KubernetesModule.forRoot(options, kubeConfig)],
      controllers: [DeploymentRequestsController],
      providers: [
        { provide: DEPLOYER_OPTIONS, useValue: options },
        { provide: WorkloadLocks, useFactory: (cluster: Cluster) => new WorkloadLocks(cluster, options.lease), inject: [CLUSTER] },
        WorkloadDeployer,
        PreviewTeardown,
      ],
    };
  }
}
