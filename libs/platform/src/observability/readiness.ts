import { Injectable } from '@nestjs/common';

/** A named check that says whether a dependency is usable right now. */
export interface ReadinessCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

/**
 * A state `GET /readyz` shows without gating readiness on it: something an operator wants to see
 * (the Slack socket reconnecting) that taking the pod out of service would not mend.
 */
export interface ReadinessState {
  name: string;
  state(): string;
}

/** Collects the checks behind `GET /readyz`; features register theirs at start-up. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];
  private readonly states: ReadinessState[] = [];

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** Shows a state in `/readyz` (under `states`) without making the service unready. */
  show(state: ReadinessState): void {
    this.states.push(state);
  }

  /** The shown states by name; empty when none is registered. */
  shownStates(): Record<string, string> {
    return Object.fromEntries(this.states.map((s) => [s.name, s.state()]));
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, 'up' | 'down'> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          return [c.name, (await withTimeout(Promise.resolve(c.check()), 2_000)) ? 'up' : 'down'] as const;
        } catch {
          return [c.name, 'down'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    return { ready: results.every(([, state]) => state === 'up'), checks };
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
