import type { Logger } from '@nestjs/common';
import type { Cluster, ObjectRef } from '../kubernetes/cluster.port';
import { KubernetesError } from '../kubernetes/kubernetes-error';
import type { RequestStamp } from '../deployments/supersession';
import { LeaseClaimant, LeaseObject, newerRequest, renewedLease } from './workload-lease';
import type { LeaseSettings } from './workload-locks';

export const isConflict = (error: unknown): boolean => error instanceof KubernetesError && error.conflict;

/** The lease is no longer this holder's (it stopped renewing for too long, e.g. SIGSTOP, and another took over). */
export class LeaseLost extends Error {
  constructor(ref: ObjectRef, detail: string) {
    super(`lost the lease ${ref.namespace}/${ref.name}: ${detail}`);
    this.name = 'LeaseLost';
  }
}

/** A request made later holds or waits for the workload: this one has lost to it. */
export class LostToNewerRequest extends Error {
  constructor(
    readonly newer: RequestStamp,
    /** true when the newer request holds the workload now, false when it waits for it. */
    readonly holds: boolean,
  ) {
    super(`request ${newer.requestId} (build ${newer.buildId ?? '?'}) was made later for the same workload`);
    this.name = 'LostToNewerRequest';
  }
}

/**
 * A Lease this deployer holds: renewed every `renewIntervalMs` until released. `signal` aborts
 * with LeaseLost or LostToNewerRequest when the holder must stop; `verify()` checks at once.
 */
export class HeldLease {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private renewedAt: number;

  constructor(
    private readonly cluster: Cluster,
    readonly ref: ObjectRef,
    private readonly claimant: LeaseClaimant,
    private lease: LeaseObject,
    private readonly settings: LeaseSettings,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {
    this.renewedAt = now();
    this.timer = setInterval(() => void this.renew(), settings.renewIntervalMs);
    this.timer.unref();
  }

  /** Aborted (with the reason as an Error) once this holder must stop. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /**
   * Renews the lease now and throws the reason if it is no longer this holder's — before an
   * apply and before a success is reported: a holder that was paused past its lease must not act.
   */
  async verify(): Promise<void> {
    await this.renew();
    this.lost.signal.throwIfAborted();
  }

  /** Stops renewing and deletes the lease if it is still this holder's (best effort: it expires anyway). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (this.lost.signal.aborted && this.lost.signal.reason instanceof LeaseLost) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.cluster.delete(this.ref, { uid: this.lease.metadata.uid, resourceVersion: this.lease.metadata.resourceVersion });
        return;
      } catch (error) {
        if (!isConflict(error))
          return this.logger.warn({
            msg: 'cannot release the lease; it expires by itself',
            lease: this.name,
            error: (error as Error).message,
          });
        const current = await this.cluster.read<LeaseObject>(this.ref).catch(() => undefined);
        if (current?.spec?.holderIdentity !== this.claimant.holder) return;
        this.lease = current;
      }
    }
  }

  private get name(): string {
    return `${this.ref.namespace}/${this.ref.name}`;
  }

  private renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    if (this.lost.signal.aborted) return;
    try {
      const renewed = await this.renewed();
      if (!renewed) return this.lose(new LeaseLost(this.ref, 'it was deleted (another holder took it over and released it)'));
      this.lease = renewed;
      this.renewedAt = this.now();
    } catch (error) {
      if (isConflict(error)) return this.reread();
      // Forbidden and the like fail every time: stop now, and let the next acquisition report it.
      if (error instanceof KubernetesError && !error.retryable)
        return this.lose(new LeaseLost(this.ref, `cannot renew it: ${error.reason}`));
      const silentMs = this.now() - this.renewedAt;
      if (silentMs >= this.settings.durationSeconds * 1000) {
        return this.lose(new LeaseLost(this.ref, `not renewed for ${Math.round(silentMs / 1000)} s (${(error as Error).message})`));
      }
      this.logger.warn({ msg: 'cannot renew the lease; trying again', lease: this.name, error: (error as Error).message });
      return;
    }
    this.checkForNewerRequest();
  }

  /**
   * The lease with a new renewTime, written at the resourceVersion this holder last saw; undefined
   * when it is gone. A patch, never a replace: a replace would create a Lease that another holder
   * took over and released meanwhile, and this holder would think it still held it.
   */
  private renewed(): Promise<LeaseObject | undefined> {
    const { spec } = renewedLease(this.lease, this.now());
    return this.cluster.patch<LeaseObject>(
      this.ref,
      { spec: { renewTime: spec?.renewTime } },
      { resourceVersion: this.lease.metadata.resourceVersion! },
    );
  }

  /** The lease changed under us: a waiter marked itself, or another holder took over. */
  private async reread(): Promise<void> {
    const current = await this.cluster.read<LeaseObject>(this.ref).catch(() => undefined);
    if (!current || current.spec?.holderIdentity !== this.claimant.holder) {
      return this.lose(new LeaseLost(this.ref, current ? `now held by ${current.spec?.holderIdentity ?? 'nobody'}` : 'it was deleted'));
    }
    this.lease = current;
    if (this.checkForNewerRequest()) return;
    try {
      const renewed = await this.renewed();
      if (!renewed) return this.lose(new LeaseLost(this.ref, 'it was deleted'));
      this.lease = renewed;
      this.renewedAt = this.now();
    } catch (error) {
      if (!isConflict(error))
        this.logger.warn({ msg: 'cannot renew the lease; trying again', lease: this.name, error: (error as Error).message });
    }
  }

  private checkForNewerRequest(): boolean {
    const newer = newerRequest(this.lease, this.claimant.request);
    if (newer) this.lose(new LostToNewerRequest(newer, false));
    return !!newer;
  }

  private lose(reason: Error): void {
    if (this.lost.signal.aborted) return;
    clearInterval(this.timer);
    this.logger.warn({ msg: 'giving the workload up', lease: this.name, holder: this.claimant.holder, reason: reason.message });
    this.lost.abort(reason);
  }
}
