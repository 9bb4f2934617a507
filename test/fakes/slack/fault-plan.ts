/**
 * A planned misbehaviour for one upcoming call: a 429 or an error (the call has no effect),
 * or a late answer (the call takes effect, its answer is sent `delayMs` later).
 */
export type Fault = { kind: 'ratelimit'; retryAfterSeconds: number } | { kind: 'error'; error: string } | { kind: 'late'; delayMs: number };

/** Matches every method in `rateLimitNext('*', …)` / `failNext('*', …)`. */
export const ANY_METHOD = '*';

/**
 * Faults a test asked for, consumed in the order they were planned: per method first,
 * then those planned for any method. A call that takes a 429 or error fault has no other effect.
 */
export class FaultPlan {
  private readonly queues = new Map<string, Fault[]>();

  add(method: string, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
    const queue = this.queues.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.queues.set(method, queue);
  }

  /** Takes the next fault planned for this method, if any. */
  take(method: string): Fault | undefined {
    return this.queues.get(method)?.shift() ?? this.queues.get(ANY_METHOD)?.shift();
  }

  clear(): void {
    this.queues.clear();
  }
}
