import { Logger } from '@nestjs/common';
import type { Cluster, ObjectRef } from '../kubernetes/cluster.port';
import { abortable } from '../rollout/abortable-sleep';
import { HeldLease, isConflict, LostToNewerRequest } from './held-lease';
import { assessLease, claimedLease, LeaseClaimant, LeaseObject, nextMark } from './workload-lease';

/** How the per-workload Leases are held (DeployerOptions.lease). */
export interface LeaseSettings {
  /** `spec.leaseDurationSeconds`: a holder that stops renewing loses the lease this long after its last renewal. */
  durationSeconds: number;
  /** How often a holder renews; well under the duration, so a slow API call or two do not lose it. */
  renewIntervalMs: number;
  /** How often a waiting request looks at the lease again. */
  retryIntervalMs: number;
}

/**
 * 15 s, renewed every 2 s (client-go's leader election: a 15 s lease, a try every 2 s): a holder
 * sees within 2 s that a newer request waits, and a waiting request looks every 250 ms, so a
 * newer build for a branch takes the workload about a quarter of a second after the older one
 * lets it go, not up to a second. A waiter reads the Lease; a holder writes it (a renewal).
 */
export const DEFAULT_LEASE_SETTINGS: LeaseSettings = { durationSeconds: 15, renewIntervalMs: 2_000, retryIntervalMs: 250 };

/** The wait for the workload outlasted the request's deadline. */
export class LeaseWaitExpired extends Error {
  constructor(
    readonly ref: ObjectRef,
    readonly holder: string,
  ) {
    super(`${ref.namespace}/${ref.name} was held by ${holder} until the deadline`);
    this.name = 'LeaseWaitExpired';
  }
}

/**
 * One request per workload at a time, across deployer replicas: a Kubernetes Lease per workload,
 * acquired by create (or by replacing an expired one at its resourceVersion), renewed while
 * the work runs, deleted at the end. The API server's optimistic concurrency decides every race.
 */
export class WorkloadLocks {
  private readonly logger = new Logger('WorkloadLocks');

  constructor(
    private readonly cluster: Cluster,
    private readonly settings: LeaseSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves once `claimant` holds the Lease `ref`. Waits while another holder's lease is live,
   * until `until` (epoch ms: then LeaseWaitExpired). Throws LostToNewerRequest as soon as a
   * request made later holds or waits, and `signal.reason` when `signal` aborts.
   */
  async acquire(ref: ObjectRef, claimant: LeaseClaimant, until: number, signal: AbortSignal): Promise<HeldLease> {
    signal.throwIfAborted();
    // The usual case — nobody holds the workload (a Lease is deleted when its work ends) — in one
    // call; a Lease that exists answers 409 and is looked at as below.
    try {
      return this.held(
        ref,
        claimant,
        await this.cluster.create(claimedLease(undefined, ref, claimant, this.now(), this.settings.durationSeconds)),
      );
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let reportedHolder: string | undefined;
    for (;;) {
      signal.throwIfAborted();
      const lease = await this.cluster.read<LeaseObject>(ref);
      const now = this.now();
      const assessment = assessLease(lease, claimant, now);
      try {
        switch (assessment.kind) {
          case 'free':
            return this.held(
              ref,
              claimant,
              await this.cluster.create(claimedLease(undefined, ref, claimant, now, this.settings.durationSeconds)),
            );
          case 'mine':
          case 'expired':
            if (assessment.kind === 'expired')
              this.logger.log({
                msg: 'taking over an expired lease',
                lease: `${ref.namespace}/${ref.name}`,
                from: assessment.holder,
                holder: claimant.holder,
              });
            return this.held(
              ref,
              claimant,
              await this.cluster.replace(claimedLease(lease, ref, claimant, now, this.settings.durationSeconds)),
            );
          case 'lost-to':
            throw new LostToNewerRequest(assessment.newer, assessment.holds);
          case 'busy':
            if (assessment.markAsNext && claimant.request) {
              // A patch, never a replace: the API server creates a Lease on a replace when it is
              // gone, so a mark made just after the holder released it would bring it back, held by
              // the holder that let it go, until it expired (docs/kubernetes.md).
              const marked = await this.cluster.patch(
                ref,
                { annotations: nextMark(claimant.request) },
                {
                  resourceVersion: lease!.metadata.resourceVersion!,
                },
              );
              if (!marked) continue; // released meanwhile: look again at once
            }
            if (now >= until) throw new LeaseWaitExpired(ref, assessment.holder);
            if (reportedHolder !== assessment.holder) {
              reportedHolder = assessment.holder;
              this.logger.log({
                msg: 'waiting for the workload',
                lease: `${ref.namespace}/${ref.name}`,
                heldBy: assessment.holder,
                holder: claimant.holder,
              });
            }
            await abortable(Math.min(this.settings.retryIntervalMs, Math.max(until - now, 0)), signal);
            break;
          default: {
            const _exhaustive: never = assessment;
            throw new Error(`unknown lease assessment ${JSON.stringify(_exhaustive)}`);
          }
        }
      } catch (error) {
        if (!isConflict(error)) throw error; // someone else wrote the lease first: look again
      }
    }
  }

  private held(ref: ObjectRef, claimant: LeaseClaimant, lease: LeaseObject): HeldLease {
    return new HeldLease(this.cluster, ref, claimant, lease, this.settings, this.now, this.logger);
  }
}
