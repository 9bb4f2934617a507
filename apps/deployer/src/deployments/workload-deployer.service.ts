import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { DeploymentFailed, DeploymentSucceeded } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { CLUSTER } from '../kubernetes/cluster.port';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { selectorLabels, toLabelSelector } from '../manifests/workload-labels';
import { workloadManifests } from '../manifests/workload.manifests';
import { hostOf, previewUrl } from '@app/contracts';
import { RolloutWatcher } from '../rollout/rollout.watcher';
import { deploymentFailed, deploymentSucceeded } from './outcome-envelopes';
import { newerBuildRunning } from './supersession';

/**
 * Applies a workload and follows its rollout to one outcome. Applying is idempotent
 * (server-side apply), so a redelivered request re-applies harmlessly and resumes watching.
 */
@Injectable()
export class WorkloadDeployer implements OnModuleDestroy {
  private readonly logger = new Logger('WorkloadDeployer');
  private readonly watcher: RolloutWatcher;
  /** Aborted at shutdown: rollouts being watched are left for the redelivered request to resume. */
  private readonly shutdown = new AbortController();

  constructor(
    @Inject(CLUSTER) private readonly cluster: Cluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEPLOYER_OPTIONS) options: DeployerOptions,
  ) {
    this.watcher = new RolloutWatcher(cluster, {
      pollIntervalMs: options.pollIntervalMs,
      policy: { timeoutMs: config.env.ROLLOUT_TIMEOUT_SECONDS * 1000, failFastMs: config.env.ROLLOUT_FAIL_FAST_SECONDS * 1000 },
    });
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  /** Resolves with the outcome to report; throws only for what a redelivery may fix (shutdown, bugs). */
  async deploy(order: DeploymentOrder): Promise<DeploymentSucceeded | DeploymentFailed> {
    const log = { buildId: order.buildId, correlationId: order.correlationId, requestId: order.requestId, environment: order.identity.environment };
    const project = this.config.projects.get(order.identity.project);
    if (!project) {
      return deploymentFailed(order, `project "${order.identity.project}" is not in the deployer's projects file (DEPLOYBOT_CONFIG)`, {}, new Date());
    }
    this.warnOnUnexpectedHost(order, project.url);
    const manifests = workloadManifests(order, project, { progressDeadlineSeconds: this.config.env.ROLLOUT_TIMEOUT_SECONDS });
    const where = { namespace: manifests.namespace, name: manifests.name };
    try {
      const newer = newerBuildRunning(await this.cluster.readDeployment(where.namespace, where.name), order);
      if (newer) return deploymentFailed(order, `superseded: ${where.namespace}/${where.name} already runs build ${newer}, requested later`, where, new Date());

      for (const object of [manifests.deployment, manifests.service, manifests.route]) await this.cluster.apply(object);
      this.logger.log({ msg: 'applied; watching the rollout', ...log, ...where, image: order.image });

      const podSelector = toLabelSelector(selectorLabels(manifests.name));
      const outcome = await this.watcher.watch({ ...where, buildId: order.buildId, requestId: order.requestId, podSelector }, this.shutdown.signal);
      if (outcome.status === 'succeeded') {
        this.logger.log({ msg: 'rollout succeeded', ...log, ...where, url: order.url });
        return deploymentSucceeded(order, where, new Date());
      }
      this.logger.warn({ msg: 'rollout failed', ...log, ...where, reason: outcome.reason });
      return deploymentFailed(order, outcome.reason, where, new Date());
    } catch (error) {
      if (!(error instanceof KubernetesError)) throw error;
      this.logger.warn({ msg: 'deployment failed at the Kubernetes API', ...log, ...where, reason: error.reason });
      return deploymentFailed(order, error.reason, where, new Date());
    }
  }

  /** The route serves the URL in the event (what Slack links to); say so when it strays from the scheme. */
  private warnOnUnexpectedHost(order: DeploymentOrder, projectUrl: string): void {
    const { identity } = order;
    const expected = identity.environment === 'preview' ? hostOf(previewUrl(projectUrl, identity.type, identity.target)) : hostOf(projectUrl);
    if (hostOf(order.url) !== expected) {
      this.logger.warn({ msg: 'requested URL differs from the URL scheme', buildId: order.buildId, url: order.url, expectedHost: expected });
    }
  }
}
