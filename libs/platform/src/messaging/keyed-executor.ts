/**
 * Runs tasks with bounded concurrency while keeping tasks of the same key in order:
 * the events of one build are handled one after another, different builds in parallel.
 */
export class KeyedExecutor {
  private running = 0;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private released = false;

  constructor(private readonly limit: number) {}

  /** Resolves once a slot is free, so a consume loop stops pulling while the executor is full. */
  async slot(): Promise<void> {
    while (!this.released && this.running >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running++;
  }

  /**
   * Lifts the limit for good: a stopping consume loop must get through the messages it already
   * received (to hand them back) instead of waiting behind handlers that may run for minutes.
   */
  release(): void {
    this.released = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Runs `task` after every earlier task of `key`; call `slot()` first. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task);
    const tail: Promise<void> = current
      .catch(() => undefined)
      .finally(() => {
        this.running--;
        this.waiters.shift()?.();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    this.tails.set(key, tail);
    return current;
  }

  /** Resolves when every task started so far has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) {
      await Promise.allSettled([...this.tails.values()]);
      await new Promise((resolve) => setImmediate(resolve)); // let the finally handlers run
    }
  }

  get inFlight(): number {
    return this.running;
  }
}
