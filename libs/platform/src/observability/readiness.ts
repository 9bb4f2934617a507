import { Injectable } from '@nestjs/common';

/** A named check that says whether a dependency is usable right now. */
export interface ReadinessCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

/** Collects the checks behind `GET /readyz`; features register theirs at start-up. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];

  register(check: ReadinessCheck): void {
    this.checks.push(check);
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
