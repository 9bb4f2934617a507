/** What a task returns to be run again later, behind the lower-ranked tasks of its key queued meanwhile. */
export const REQUEUE = Symbol('requeue');

/** Lets a task wait without holding an execution slot (e.g. for its build's previous message). */
export type Pause = <T>(work: Promise<T>) => Promise<T>;

type Task = (pause: Pause) => Promise<void | typeof REQUEUE>;

interface Entry {
  rank: number;
  arrival: number;
  task: Task;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Lane {
  busy: boolean;
  queue: Entry[];
}

/**
 * Runs tasks with bounded concurrency while keeping tasks of the same key one at a time:
 * the messages of one build are handled one after another, different builds in parallel.
 *
 * - Within a key the lowest rank goes first (a build's versions), then arrival order.
 * - At most `limit` tasks execute at once; a task waiting through `pause` does not count.
 * - At most `admitLimit` tasks are admitted (queued behind their key, paused or executing):
 *   `slot()` waits beyond, so a consume loop stops pulling while the executor is full.
 */
export class KeyedExecutor {
  private admitted = 0;
  private executing = 0;
  private arrivals = 0;
  private released = false;
  private readonly lanes = new Map<string, Lane>();
  private readonly admissions: (() => void)[] = [];
  private readonly permits: (() => void)[] = [];
  private readonly idlers: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly admitLimit = limit * 4,
  ) {}

  /** Resolves once the task about to be `run` may be admitted. */
  async slot(): Promise<void> {
    while (!this.released && this.admitted >= this.admitLimit) await new Promise<void>((resolve) => this.admissions.push(resolve));
    this.admitted++;
  }

  /**
   * Lifts both limits for good: a stopping consume loop must get through the messages it already
   * received (to hand them back) instead of waiting behind handlers that may run for minutes.
   */
  release(): void {
    this.released = true;
    for (const wake of this.admissions.splice(0)) wake();
    for (const wake of this.permits.splice(0)) this.executing++, wake();
  }

  /**
   * Runs `task` once no other task of `key` runs and none of lower rank waits; call `slot()` first.
   * A task that returns `REQUEUE` stays admitted and waits for its turn again.
   */
  run(key: string, task: Task, rank = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) this.lanes.set(key, (lane = { busy: false, queue: [] }));
      this.enqueue(lane, { rank, arrival: this.arrivals++, task, resolve, reject });
      if (!lane.busy) this.start(key, lane);
    });
  }

  /** Resolves when every task admitted so far has finished. */
  async idle(): Promise<void> {
    if (this.lanes.size > 0) await new Promise<void>((resolve) => this.idlers.push(resolve));
  }

  /** true while a caller waits in `slot()`. */
  get saturated(): boolean {
    return this.admissions.length > 0;
  }

  /** Tasks admitted and not finished (queued, paused or executing). */
  get inFlight(): number {
    return this.admitted;
  }

  private enqueue(lane: Lane, entry: Entry): void {
    const at = lane.queue.findIndex((e) => e.rank > entry.rank || (e.rank === entry.rank && e.arrival > entry.arrival));
    if (at === -1) lane.queue.push(entry);
    else lane.queue.splice(at, 0, entry);
  }

  private start(key: string, lane: Lane): void {
    lane.busy = true;
    void this.permit().then(() => {
      const entry = lane.queue.shift()!; // the lowest rank at the moment it may run
      Promise.resolve()
        .then(() => entry.task(this.pause))
        .then(
          (result) => (result === REQUEUE ? this.enqueue(lane, entry) : this.finish(() => entry.resolve())),
          (error) => this.finish(() => entry.reject(error)),
        )
        .finally(() => {
          this.executing--;
          this.wakeOne();
          if (lane.queue.length > 0) return this.start(key, lane);
          lane.busy = false;
          this.lanes.delete(key);
          if (this.lanes.size === 0) for (const wake of this.idlers.splice(0)) wake();
        });
    });
  }

  private readonly pause: Pause = async (work) => {
    this.executing--;
    this.wakeOne();
    try {
      return await work;
    } finally {
      await this.permit();
    }
  };

  private permit(): Promise<void> {
    if (this.released || this.executing < this.limit) {
      this.executing++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.permits.push(resolve));
  }

  private wakeOne(): void {
    if (this.permits.length > 0 && (this.released || this.executing < this.limit)) {
      this.executing++;
      this.permits.shift()!();
    }
  }

  private finish(settle: () => void): void {
    this.admitted--;
    this.admissions.shift()?.();
    settle();
  }
}
