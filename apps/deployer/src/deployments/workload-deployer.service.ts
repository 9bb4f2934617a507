import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DeploymentFailed, DeploymentSucceeded } from '@app/contracts';
import { hostOf, previewUrl } from '@app/contracts';
import { APP_CONFIG } from '@app/platform';
import type { AppConfig } from '@app/platform';
import { DEPLOYER_OPTIONS } from '../deployer.options';
import type { DeployerOptions } from '../deployer.options';
import { CLUSTER } from '../kubernetes/cluster.port';
import type { Cluster } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import { leaseRef } from '../leases/workload-lease';
import { HeldLease, LeaseLost, LostToNewerRequest } from '../leases/held-lease';
import { LeaseWaitExpired, WorkloadLocks } from '../leases/workload-locks';
import type { DeploymentOrder } from '../manifests/deployment-order';
import { selectorLabels, toLabelSelector } from '../manifests/workload-labels';
import { WorkloadManifests, workloadManifests } from '../manifests/workload.manifests';
import { RolloutOutcome, RolloutWatcher } from '../rollout/rollout.watcher';
import { applyDeploymentGuarded } from './guarded-apply';
import { deploymentFailed, deploymentSucceeded } from './outcome-envelopes';
import { compareRequests, RequestStamp, stampOf, supersededReason } from './supersession';

type Outcome = DeploymentSucceeded | DeploymentFailed;
type Where = { namespace: string; name: string };

const DEADLINE_PASSED = 'the rollout deadline passed before the deployer could finish';

/**
 * Applies a workload and follows its rollout to one outcome, holding the workload's Lease
 * throughout, so requests for one workload never interleave (across replicas too). Applying is
 * idempotent, so a redelivered request re-applies harmlessly and resumes watching.
 */
@Injectable()
export class WorkloadDeployer {
  private readonly logger = new Logger('WorkloadDeployer');
  private readonly watcher: RolloutWatcher;

  constructor(
    @Inject(CLUSTER) private readonly cluster: Cluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEPLOYER_OPTIONS) private readonly options: DeployerOptions,
    private readonly locks: WorkloadLocks,
  ) {
    this.watcher = new RolloutWatcher(cluster, {
      pollIntervalMs: options.pollIntervalMs,
      policy: { failFastMs: config.env.ROLLOUT_FAIL_FAST_SECONDS * 1000 },
    });
  }

  /**
   * Resolves with the outcome to report. Throws only what a redelivery may fix: the shutdown's
   * `Interrupted` (when `shutdown` aborts after the grace period) and bugs.
   */
  async deploy(order: DeploymentOrder, shutdown: AbortSignal): Promise<Outcome> {
    const project = this.config.projects.get(order.identity.project);
    if (!project) {
      return deploymentFailed(
        order,
        `project "${order.identity.project}" is not in the deployer's projects file (DEPLOYBOT_CONFIG)`,
        {},
        new Date(),
      );
    }
    this.warnOnUnexpectedHost(order, project.url);
    const manifests = workloadManifests(order, project, { progressDeadlineSeconds: this.config.env.ROLLOUT_TIMEOUT_SECONDS });
    const where = { namespace: manifests.namespace, name: manifests.name };
    const deadline = Date.parse(order.rolloutDeadline);
    if (Date.now() >= deadline) {
      const reason = `${DEADLINE_PASSED}: the deadline was ${order.rolloutDeadline} and the request reached the deployer at ${new Date().toISOString()}; nothing was applied`;
      return this.failed(order, reason, where);
    }
    try {
      return await this.underLease(order, manifests, deadline, shutdown);
    } catch (error) {
      if (error instanceof LostToNewerRequest) return this.superseded(order, where, error.newer, error.holds ? 'runs' : 'deploys next');
      if (error instanceof LeaseWaitExpired) return this.failed(order, `${DEADLINE_PASSED}: ${error.message}`, where);
      if (error instanceof KubernetesError) return this.failed(order, error.reason, where, 'deployment failed at the Kubernetes API');
      throw error;
    }
  }

  /** Holds the workload's Lease for the whole rollout; a holder that lost it (paused too long) starts over. */
  private async underLease(
    order: DeploymentOrder,
    manifests: WorkloadManifests,
    deadline: number,
    shutdown: AbortSignal,
  ): Promise<Outcome> {
    const claimant = { holder: `${this.options.instanceId}/${order.requestId}`, request: stampOf(order) };
    for (;;) {
      const lease = await this.locks.acquire(leaseRef(manifests.namespace, manifests.name), claimant, deadline, shutdown);
      try {
        return await this.rollOut(order, manifests, lease, deadline, AbortSignal.any([shutdown, lease.signal]));
      } catch (error) {
        if (!(error instanceof LeaseLost)) throw error;
        const where = { namespace: manifests.namespace, name: manifests.name };
        if (Date.now() >= deadline) return this.failed(order, `${DEADLINE_PASSED}: ${error.message}`, where);
        this.logger.warn({ msg: 'lost the workload lease mid-request; starting over', ...this.logFields(order), reason: error.message });
      } finally {
        await lease.release();
      }
    }
  }

  private async rollOut(
    order: DeploymentOrder,
    manifests: WorkloadManifests,
    lease: HeldLease,
    deadline: number,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const where = { namespace: manifests.namespace, name: manifests.name };
    const decision = await applyDeploymentGuarded(this.cluster, manifests.deployment, order, lease);
    if (!decision.apply) return this.superseded(order, where, decision.running, 'runs');
    await Promise.all([manifests.service, manifests.route].map((object) => this.cluster.apply(object)));
    this.logger.log({ msg: 'applied; watching the rollout', ...this.logFields(order), ...where, image: order.image });

    const podSelector = toLabelSelector(selectorLabels(manifests.name));
    const target = {
      ...where,
      buildId: order.buildId,
      requestId: order.requestId,
      podSelector,
      requestedAt: Date.parse(order.requestedAt),
      deadline,
    };
    return this.outcomeOf(await this.watcher.watch(target, signal), order, where, lease);
  }

  private async outcomeOf(outcome: RolloutOutcome, order: DeploymentOrder, where: Where, lease: HeldLease): Promise<Outcome> {
    switch (outcome.status) {
      case 'failed':
        return this.failed(order, outcome.reason, where, 'rollout failed');
      case 'replaced': {
        const other = { requestId: outcome.requestId ?? '', requestedAt: outcome.requestedAt ?? '', buildId: outcome.buildId };
        if (outcome.requestId && compareRequests(other, stampOf(order)) > 0) return this.superseded(order, where, other, 'runs');
        const by = outcome.requestId ? `build ${outcome.buildId ?? '?'} (request ${outcome.requestId})` : 'someone outside deploybot';
        return this.failed(
          order,
          `${where.namespace}/${where.name} was changed by ${by} while this request rolled out`,
          where,
          'rollout replaced',
        );
      }
      case 'succeeded': {
        const { image } = outcome;
        if (image.status === 'mixed') {
          const [a, b] = image.digests;
          const reason = `the image tag moved during the rollout: ready pods of ${where.namespace}/${where.name} run ${a.digest} (pod ${a.pod}) and ${b.digest} (pod ${b.pod}); deploy again so that every pod runs the same image`;
          return this.failed(order, reason, where, 'rollout ran two images');
        }
        if (image.status === 'unknown')
          this.logger.warn({ msg: 'no image digest to report', ...this.logFields(order), ...where, detail: image.detail });
        await lease.verify();
        this.logger.log({
          msg: 'rollout succeeded',
          ...this.logFields(order),
          ...where,
          url: order.url,
          digest: image.status === 'known' ? image.image.digest : undefined,
        });
        return deploymentSucceeded(order, where, image.status === 'known' ? image.image : undefined, new Date());
      }
      default: {
        const _exhaustive: never = outcome;
        throw new Error(`unknown rollout outcome ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  private superseded(order: DeploymentOrder, where: Where, newer: RequestStamp, how: 'runs' | 'deploys next'): DeploymentFailed {
    const reason = supersededReason(where, newer, how);
    this.logger.log({
      msg: 'superseded',
      ...this.logFields(order),
      ...where,
      newerBuildId: newer.buildId,
      newerRequestId: newer.requestId,
    });
    return deploymentFailed(order, reason, where, new Date(), { superseded: true });
  }

  private failed(order: DeploymentOrder, reason: string, where: Where, msg = 'deployment failed'): DeploymentFailed {
    this.logger.warn({ msg, ...this.logFields(order), ...where, reason });
    return deploymentFailed(order, reason, where, new Date());
  }

  private logFields(order: DeploymentOrder) {
    return {
      buildId: order.buildId,
      correlationId: order.correlationId,
      requestId: order.requestId,
      environment: order.identity.environment,
    };
  }

  /** The route serves the URL in the event (what Slack links to); say so when it strays from the scheme. */
  private warnOnUnexpectedHost(order: DeploymentOrder, projectUrl: string): void {
    const { identity } = order;
    const expected =
      identity.environment === 'preview' ? hostOf(previewUrl(projectUrl, identity.type, identity.target)) : hostOf(projectUrl);
    if (hostOf(order.url) !== expected) {
      this.logger.warn({
        msg: 'requested URL differs from the URL scheme',
        buildId: order.buildId,
        url: order.url,
        expectedHost: expected,
      });
    }
  }
}
