import type { LoggerService } from '@nestjs/common';

/**
 * Runs a sweep (a retention DELETE) `firstMs` after `start()` and then every `everyMs`, on every
 * replica: the sweeps are idempotent, so two replicas at once need no lock. A failed sweep is
 * logged and tried again at the next one: nothing waits on it. `stop()` ends the schedule and
 * waits for a sweep in progress.
 */
export class PeriodicSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly schedule: { firstMs: number; everyMs: number },
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    this.timer = setTimeout(() => this.tick(), this.schedule.firstMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    this.running = this.sweep()
      .catch((error) => this.logger.warn({ msg: 'retention sweep failed; trying again at the next one', error: (error as Error).message }))
      .finally(() => {
        if (this.timer) {
          this.timer = setTimeout(() => this.tick(), this.schedule.everyMs);
          this.timer.unref();
        }
      });
  }
}
