import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { ClusterReadiness } from './cluster-readiness';
import { CLUSTER } from './cluster.port';
import { loadKubeConfig } from './kube-config';
import { KubernetesClusterAdapter } from './kubernetes-cluster.adapter';

/** The cluster connection (KUBECONFIG or in-cluster) behind the {@link CLUSTER} port, and its readiness check. */
@Module({})
export class KubernetesModule {
  static forRoot(options: DeployerOptions): DynamicModule {
    return {
      module: KubernetesModule,
      providers: [
        { provide: DEPLOYER_OPTIONS, useValue: options },
        {
          provide: CLUSTER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            new KubernetesClusterAdapter(loadKubeConfig(config.env.KUBECONFIG), { timeoutMs: options.requestTimeoutMs, retry: options.retry }),
        },
        ClusterReadiness,
      ],
      exports: [CLUSTER],
    };
  }
}
