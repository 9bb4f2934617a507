import { DynamicModule, Module } from '@nestjs/common';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { ClusterReadiness } from './cluster-readiness';
import { CLUSTER } from './cluster.port';
import { KubernetesClusterAdapter } from './kubernetes-cluster.adapter';

/** The cluster connection (KUBECONFIG or in-cluster) behind the {@link CLUSTER} port, and its readiness check. */
@Module({})
export class KubernetesModule {
  static forRoot(options: DeployerOptions, kubeConfig: KubeConfig): DynamicModule {
    return {
      module: KubernetesModule,
      providers: [
        { provide: DEPLOYER_OPTIONS, useValue: options },
        {
          provide: CLUSTER,
          useFactory: () => new KubernetesClusterAdapter(kubeConfig, { timeoutMs: options.requestTimeoutMs, retry: options.retry }),
        },
        ClusterReadiness,
      ],
      exports: [CLUSTER],
    };
  }
}
