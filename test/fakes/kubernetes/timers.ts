/**
 * Every timer of the simulation, grouped (by pod uid, deployment key…) so a group can be cancelled
 * when its object goes away, and all of them when the fake stops. Timers are unref'd: a forgotten
 * fake never keeps a test process alive.
 */
export class Timers {
  private readonly groups = new Map<string, Set<NodeJS.Timeout>>();
  private stopped = false;

  after(group: string, ms: number, run: () => void): void {
    if (this.stopped) return;
    const set = this.groups.get(group) ?? new Set<NodeJS.Timeout>();
    this.groups.set(group, set);
    const timer = setTimeout(
      () => {
        set.delete(timer);
        if (!this.stopped) run();
      },
      Math.max(0, ms),
    );
    timer.unref();
    set.add(timer);
  }

  clearGroup(group: string): void {
    for (const timer of this.groups.get(group) ?? []) clearTimeout(timer);
    this.groups.delete(group);
  }

  stop(): void {
    this.stopped = true;
    for (const group of [...this.groups.keys()]) this.clearGroup(group);
  }
}
