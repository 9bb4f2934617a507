import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@app/platform';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { CLUSTER } from './cluster.port';
import type { Cluster } from './cluster.port';

/**
 * `/readyz` says `kubernetes: up` while the API server answered `/version` recently.
 * Cached, so a probe every few seconds does not become a stream of API calls, and one call
 * at a time, so a slow API server does not pile probes up.
 */
@Injectable()
export class ClusterReadiness implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClusterReadiness');
  private lastOkAt = 0;
  private inFlight?: Promise<boolean>;

  constructor(
    @Inject(CLUSTER) private readonly cluster: Cluster,
    private readonly registry: ReadinessRegistry,
    @Inject(DEPLOYER_OPTIONS) private readonly options: DeployerOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.register({ name: 'kubernetes', check: () => this.check() });
    void this.check();
  }

  check(): Promise<boolean> | boolean {
    if (Date.now() - this.lastOkAt < this.options.readinessTtlMs) return true;
    this.inFlight ??= this.cluster
      .serverVersion()
      .then(() => {
        this.lastOkAt = Date.now();
        return true;
      })
      .catch((error: Error) => {
        this.logger.warn({ msg: 'the Kubernetes API does not answer', server: this.cluster.server, error: error.message });
        return false;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
