import type { Cluster, ClusterObject, ObjectScope, WatchEnd, WatchEvent, WatchStream } from './cluster.port';
import { KubernetesError } from './kubernetes-error';

/**
 * How hard a {@link WatchedList} tries to keep its watch open. The defaults give a watch that
 * keeps failing about 7.5 s (0, 0.5, 1, 2, 4 s between six tries) before it is given up.
 */
export interface WatchTuning {
  /** Failures in a row (cannot open, dropped, ERROR event) before the watch is given up. */
  maxFailures: number;
  /** The wait before watching again after the 2nd, 3rd… failure in a row, doubling from this… */
  backoffBaseMs: number;
  /** …up to this. */
  backoffMaxMs: number;
  /** A stream the server closes sooner than this after it opened counts as a failure (no tight loop). */
  minStreamMs: number;
}

export const DEFAULT_WATCH_TUNING: WatchTuning = { maxFailures: 6, backoffBaseMs: 500, backoffMaxMs: 5_000, minStreamMs: 1_000 };

/** Where a watched list stands after {@link WatchedList.sync}. */
export type WatchHealth =
  /** Listed, and the watch is open (or being opened). */
  | { state: 'watching' }
  /** Listed, but the watch is closed until `retryAt` (epoch ms): the list may be behind until then. */
  | { state: 'waiting'; retryAt: number }
  /** No watch to be had: refused (`permanent`: 403, 405… — asking again will not help) or failing too often. */
  | { state: 'unwatchable'; reason: string; permanent: boolean };

/**
 * One list kept current by a watch — a small reflector over the Cluster port: list to get the
 * objects and a resourceVersion, watch from there (with bookmarks, so the resourceVersion stays
 * recent on a quiet stream), apply every event to the objects, and call `changed` after each one.
 *
 * - The server closes a stream now and then (its timeout): watch again from the last resourceVersion.
 * - A dropped connection: watch again from the last resourceVersion; the server replays what
 *   was missed, or answers 410 if it no longer can.
 * - 410 Gone / Expired, or any ERROR event: list again, then watch from the new list.
 * - Failures in a row (cannot open, dropped, ERROR) back off (0, base, 2×base … max) and after
 *   `maxFailures` give the watch up; so does a refusal that asking again cannot fix (403 without
 *   the `watch` verb). Any event resets the count.
 *
 * Listing is the caller's pace: {@link sync} lists when needed and throws what listing throws;
 * watches open in the background.
 */
export class WatchedList<T extends ClusterObject> {
  private items = new Map<string, T>();
  /** Where the watch resumes; undefined: list first. */
  private resourceVersion: string | undefined;
  private stream: WatchStream | undefined;
  private opening = false;
  /** {@link watch} was called. */
  private wanted = false;
  private lists = 0;
  /** Which stream is current: events and ends of an older one are ignored. */
  private generation = 0;
  private failures = 0;
  private retryAt = 0;
  private lastFailure = '';
  private given: Extract<WatchHealth, { state: 'unwatchable' }> | undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly scope: ObjectScope,
    private readonly changed: () => void,
    private readonly now: () => number,
    private readonly tuning: WatchTuning = DEFAULT_WATCH_TUNING,
  ) {}

  /** The objects as of the last event. */
  get objects(): T[] {
    return [...this.items.values()];
  }

  /** How often it has listed: a caller sees whether a sync listed (what it holds is fresh from the API server). */
  get listings(): number {
    return this.lists;
  }

  /**
   * Lists if the list is missing or expired, and — once {@link watch} was called — opens the watch
   * if it is closed and its backoff has passed.
   */
  async sync(): Promise<WatchHealth> {
    if (this.given) return this.given;
    if (this.resourceVersion === undefined) {
      const list = await this.cluster.listObjects<T>(this.scope);
      this.items = new Map(list.items.map((item) => [item.metadata?.name ?? '', item]));
      this.resourceVersion = list.resourceVersion;
      this.lists += 1;
    }
    this.openIfDue();
    return this.health();
  }

  /**
   * From now on keeps a watch open (the first {@link sync} only lists: a caller whose question the
   * list already answers never opens one). Nothing is missed by starting late: the watch starts
   * from the list's resourceVersion.
   */
  watch(): void {
    this.wanted = true;
    this.openIfDue();
  }

  private openIfDue(): void {
    if (!this.wanted || this.given || this.resourceVersion === undefined) return;
    if (!this.stream && !this.opening && this.now() >= this.retryAt) void this.open(this.resourceVersion);
  }

  health(): WatchHealth {
    if (this.given) return this.given;
    return this.stream || this.opening ? { state: 'watching' } : { state: 'waiting', retryAt: this.retryAt };
  }

  stop(): void {
    this.generation++;
    this.stream?.stop();
    this.stream = undefined;
  }

  /**
   * Opens the watch in the background: nobody waits for it (a stalled API server may hold it up
   * to client-node's 30 s), and nothing is missed meanwhile — the stream starts from the list's
   * resourceVersion. A failure to open calls `changed`, so the caller looks again.
   */
  private async open(resourceVersion: string): Promise<void> {
    const generation = ++this.generation;
    this.opening = true;
    const opened = this.now();
    let stream: WatchStream;
    try {
      stream = await this.cluster.watchObjects<T>(this.scope, resourceVersion, (event) => {
        if (generation === this.generation) this.onEvent(event);
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.opening = false;
      const e = error instanceof KubernetesError ? error : undefined;
      if (e?.status === 410) this.relist(`410: ${e.reason}`);
      else if (e && !e.retryable) this.given = { state: 'unwatchable', reason: e.reason, permanent: true };
      else this.failed(e?.reason ?? String(error));
      this.changed();
      return;
    }
    if (generation !== this.generation) return stream.stop();
    this.opening = false;
    this.stream = stream;
    void stream.ended.then((end) => {
      if (generation === this.generation) this.onEnd(end, this.now() - opened);
    });
  }

  private onEvent(event: WatchEvent<T>): void {
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const name = event.object.metadata?.name ?? '';
        if (event.type === 'DELETED') this.items.delete(name);
        else this.items.set(name, event.object);
        this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
        this.failures = 0;
        this.changed();
        return;
      }
      case 'BOOKMARK':
        this.resourceVersion = event.resourceVersion || this.resourceVersion;
        this.failures = 0;
        return;
      case 'ERROR': {
        const { code, reason, message } = event.status;
        this.generation++;
        this.stream?.stop();
        this.stream = undefined;
        this.relist(`ERROR ${code ?? '?'} ${reason ?? ''}: ${message ?? ''}`.trim());
        this.changed();
        return;
      }
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown watch event ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  private onEnd(end: WatchEnd, livedMs: number): void {
    this.stream = undefined;
    if (end.dropped) this.failed(end.dropped.reason);
    else if (livedMs < this.tuning.minStreamMs) this.failed('the server closed the watch at once');
    else this.retryAt = this.now();
    this.changed();
  }

  /** The resourceVersion is gone: list again before the next watch (counted, so a server that keeps expiring is given up). */
  private relist(why: string): void {
    this.resourceVersion = undefined;
    this.failed(why);
  }

  private failed(why: string): void {
    this.failures += 1;
    this.lastFailure = why;
    if (this.failures >= this.tuning.maxFailures) {
      this.given = {
        state: 'unwatchable',
        reason: `the watch failed ${this.failures} times in a row (last: ${this.lastFailure})`,
        permanent: false,
      };
      return;
    }
    const { backoffBaseMs, backoffMaxMs } = this.tuning;
    this.retryAt = this.now() + (this.failures <= 1 ? 0 : Math.min(backoffBaseMs * 2 ** (this.failures - 2), backoffMaxMs));
  }
}
