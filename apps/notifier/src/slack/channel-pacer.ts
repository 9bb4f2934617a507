const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Keeps posts to one conversation at least `intervalMs` apart, in the order they were asked
 * for; different conversations do not wait for each other. Slack allows about one message
 * per second per channel and answers bursts with 429s — pacing avoids most of them, and
 * WebClient waits out the rest (Retry-After).
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `task` once every earlier task of `conversation` has started at least `intervalMs` ago. */
  run<T>(conversation: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    const result = previous.then(async () => {
      const wait = (this.lastStart.get(conversation) ?? -Infinity) + this.intervalMs - this.now();
      if (wait > 0) await sleep(wait);
      this.lastStart.set(conversation, this.now());
      return task();
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(conversation, tail);
    void tail.then(() => this.forget(conversation, tail));
    return result;
  }

  /**
   * Forgets the queue of an idle conversation. `lastStart` stays: one number per conversation
   * deploybot talks to (project channels and people), bounded by the configuration.
   */
  private forget(conversation: string, tail: Promise<void>): void {
    if (this.tails.get(conversation) === tail) this.tails.delete(conversation);
  }
}
