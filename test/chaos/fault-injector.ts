import { type ChaosOptions, FAULT_KINDS, type FaultKind } from './chaos-options';
import type { ChaosStack } from './chaos-stack';
import { describeFault, gapMs, LANES, nextFault, type FaultStep } from './fault-schedule';
import type { SeededRandom } from './seeded-random';

/** A fault as it was carried out: when (ms after the run started), and any trouble injecting it. */
export interface InjectedFault extends FaultStep {
  at: number;
  endedAt?: number;
  error?: string;
}

/**
 * Carries out the seeded schedule, one lane per group of faults (fault-schedule.ts), until
 * `stop()`: then the fault in progress is cut short and lifted. After each fault its lane
 * stays quiet at least as long as the fault lasted, plus the seeded gap: the system is
 * broken much of the time, never all of it. Bounded: every fault has a duration, and stop()
 * ends every wait.
 */
export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  private stopped = false;
  private wake: Array<() => void> = [];

  constructor(
    private readonly stack: ChaosStack,
    private readonly options: ChaosOptions,
    private readonly random: SeededRandom,
    private readonly startedAt: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs every lane; resolves once all of them stopped and lifted their fault. */
  async run(): Promise<void> {
    const processes = this.stack.supervisor.names();
    await Promise.all(
      Object.entries(LANES).map(async ([lane, kinds], i) => {
        const random = this.random.fork(i + 1);
        let recovery = 0;
        while (!this.stopped) {
          // After a fault, at least as long without one (a lane is broken half the time at most).
          await this.wait(recovery + gapMs(this.options.faultGapSeconds, random));
          const step = this.stopped ? undefined : nextFault(kinds, this.options.faults, processes, random, this.options.outageMinutes);
          if (!step) return;
          const fault: InjectedFault = { ...step, at: Date.now() - this.startedAt };
          this.injected.push(fault);
          this.log(`fault [${lane}] ${describeFault(step)}`);
          try {
            await this.apply(step);
          } catch (error) {
            fault.error = (error as Error).message;
            this.log(`fault [${lane}] ${step.kind} could not be carried out: ${fault.error}`);
          }
          fault.endedAt = Date.now() - this.startedAt;
          recovery = fault.endedAt - fault.at;
        }
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.wake.splice(0)) wake();
  }

  /** How many faults of each kind, in FAULT_KINDS order. */
  countByKind(): Partial<Record<FaultKind, number>> {
    const counts: Partial<Record<FaultKind, number>> = {};
    for (const kind of FAULT_KINDS) {
      const n = this.injected.filter((f) => f.kind === kind).length;
      if (n) counts[kind] = n;
    }
    return counts;
  }

  /** Sleeps `ms`, or less if the run stops meanwhile. */
  private wait = (ms: number): Promise<void> =>
    this.stopped
      ? Promise.resolve()
      : new Promise((resolve) => {
          const done = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            this.wake = this.wake.filter((w) => w !== done);
            resolve();
          }, ms);
          this.wake.push(done);
        });

  private async apply(step: FaultStep): Promise<void> {
    const { slack, kube, nats, postgres, supervisor } = this.stack;
    switch (step.kind) {
      case 'kill':
        return supervisor.kill(step.target!, step.durationMs, this.wait);
      case 'pause':
        return supervisor.pause(step.target!, step.durationMs, this.wait);
      case 'nats-restart':
        return this.holding(
          () => nats.stop(),
          () => nats.start(),
          step.durationMs,
        );
      case 'pg-restart':
        return this.holding(
          () => postgres.stopAsync(),
          () => postgres.startAsync(),
          step.durationMs,
        );
      case 'slack-stall':
        return this.holding(
          () => slack.setCondition({ kind: 'stall', delayMs: step.delayMs!, effect: step.effect }),
          () => slack.setCondition(undefined),
          step.durationMs,
        );
      case 'slack-429':
        return this.holding(
          () => slack.setCondition({ kind: 'ratelimit', retryAfterSeconds: step.retryAfterSeconds! }),
          () => slack.setCondition(undefined),
          step.durationMs,
        );
      case 'slack-5xx':
        return this.holding(
          () => slack.setCondition({ kind: 'server-error', status: step.status as 500 }),
          () => slack.setCondition(undefined),
          step.durationMs,
        );
      case 'slack-down':
      case 'slack-outage':
        return this.holding(
          () => slack.setCondition({ kind: 'down' }),
          () => slack.setCondition(undefined),
          step.durationMs,
        );
      case 'kube-stall':
        return this.holding(
          () => kube.setCondition({ kind: 'stall', delayMs: step.delayMs! }),
          () => kube.setCondition(undefined),
          step.durationMs,
        );
      case 'kube-5xx':
        return this.holding(
          () => kube.setCondition({ kind: 'server-error', status: step.status as 500 }),
          () => kube.setCondition(undefined),
          step.durationMs,
        );
      case 'kube-refused':
        return this.holding(
          () => kube.setCondition({ kind: 'refused' }),
          () => kube.setCondition(undefined),
          step.durationMs,
        );
      default: {
        const _exhaustive: never = step.kind;
        return _exhaustive;
      }
    }
  }

  /** Puts a fault in force for `ms` (or until stop), then lifts it whatever happened (a failed lift is tried again). */
  private async holding(on: () => Promise<void>, off: () => Promise<void>, ms: number): Promise<void> {
    try {
      await on();
      await this.wait(ms);
    } finally {
      await off().catch(async (error: Error) => {
        this.log(`lifting a fault failed (${error.message}); trying again in 2 s`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await off();
      });
    }
  }
}
