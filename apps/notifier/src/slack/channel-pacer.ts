const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A conversation's allowance: posts it may make now, as of `at`. */
interface Allowance {
  tokens: number;
  at: number;
}

/**
 * Paces posts to one conversation the way Slack limits them: `chat.postMessage` allows about one
 * message per second per channel, with short bursts above that. Each conversation may post a
 * burst of `burst` at once; after that one more every `intervalMs` (a token bucket), in the order
 * they were asked for; different conversations do not wait for each other. A quiet conversation
 * posts at once — the usual case, a build's few messages — and a busy one settles at the rate
 * Slack keeps; WebClient waits out any 429 still left (Retry-After).
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly allowances = new Map<string, Allowance>();

  constructor(
    private readonly intervalMs: number,
    private readonly burst = 3,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `task` once `conversation` has an allowance left, after every earlier task of it has started. */
  run<T>(conversation: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    const result = previous.then(async () => {
      await this.take(conversation);
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

  private async take(conversation: string): Promise<void> {
    for (;;) {
      const now = this.now();
      const known = this.allowances.get(conversation);
      const refilled = known && this.intervalMs > 0 ? (now - known.at) / this.intervalMs : Number.POSITIVE_INFINITY;
      const tokens = Math.min(this.burst, (known?.tokens ?? this.burst) + refilled);
      if (tokens >= 1) {
        this.allowances.set(conversation, { tokens: tokens - 1, at: now });
        return;
      }
      await sleep(Math.ceil((1 - tokens) * this.intervalMs));
    }
  }

  /**
   * Forgets the queue of an idle conversation. Its allowance stays: one entry per conversation
   * deploybot talks to (project channels and people), bounded by the configuration.
   */
  private forget(conversation: string, tail: Promise<void>): void {
    if (this.tails.get(conversation) === tail) this.tails.delete(conversation);
  }
}
