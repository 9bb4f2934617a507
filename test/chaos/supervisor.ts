import { tail, type ServiceProcess } from '../e2e/support/service-process';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A process that ended without the suite asking it to (a crash, or a start-up that gave up). */
export interface UnplannedExit {
  process: string;
  status: number | string | undefined;
  at: number;
  /** The last error-ish log line before the exit, as evidence. */
  lastLine: string;
}

/**
 * Keeps the seven processes running the way an orchestrator would: what a fault killed is
 * started again when the fault says so; anything that exits on its own is restarted with a
 * back-off (1 s doubling to 10 s) and recorded. Paused processes are held until they are let go.
 */
export class Supervisor {
  readonly unplannedExits: UnplannedExit[] = [];
  private readonly held = new Set<string>();
  private readonly starting = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(readonly processes: ReadonlyMap<string, ServiceProcess>) {}

  names(): string[] {
    return [...this.processes.keys()];
  }

  watch(): void {
    this.timer = setInterval(() => void this.tick(), 1_000);
  }

  /** SIGKILL, stay dead for `downMs` (or until `wait` resolves), start again. */
  async kill(name: string, downMs: number, wait: (ms: number) => Promise<void> = sleep): Promise<void> {
    const p = this.process(name);
    this.held.add(name);
    try {
      p.signal('SIGCONT');
      await p.kill('SIGKILL');
      await wait(downMs);
    } finally {
      this.held.delete(name);
    }
    await this.start(name);
  }

  /** SIGSTOP for `ms` (or until `wait` resolves), then SIGCONT. */
  async pause(name: string, ms: number, wait: (ms: number) => Promise<void> = sleep): Promise<void> {
    const p = this.process(name);
    this.held.add(name);
    this.paused.add(name);
    try {
      p.signal('SIGSTOP');
      await wait(ms);
    } finally {
      p.signal('SIGCONT');
      this.paused.delete(name);
      this.held.delete(name);
    }
  }

  /** Lets every paused process go on and starts every process that is down; resolves once all are up. */
  async reviveAll(timeoutMs = 180_000): Promise<void> {
    for (const name of this.paused) this.process(name).signal('SIGCONT');
    const deadline = Date.now() + timeoutMs;
    for (const [name, p] of this.processes) {
      while (!p.running && Date.now() < deadline) {
        if (!this.starting.has(name)) await this.start(name);
        else await sleep(500);
      }
    }
  }

  async stopAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(
      [...this.processes.values()].map(async (p) => {
        p.signal('SIGCONT');
        await p.kill('SIGTERM', 10_000);
      }),
    );
  }

  private async tick(): Promise<void> {
    for (const [name, p] of this.processes) {
      if (p.running || this.held.has(name) || this.starting.has(name)) continue;
      if ((this.notBefore.get(name) ?? 0) > Date.now()) continue;
      this.unplannedExits.push({ process: name, status: p.exitStatus, at: Date.now(), lastLine: lastProblem(p.logFile) });
      void this.start(name);
    }
  }

  private async start(name: string): Promise<void> {
    const p = this.process(name);
    if (p.running || this.starting.has(name)) return;
    this.starting.add(name);
    try {
      await p.start(120_000);
      this.failures.delete(name);
    } catch {
      // Exited during start-up (e.g. Postgres still down) or not ready in time: the watch loop retries.
      const failures = (this.failures.get(name) ?? 0) + 1;
      this.failures.set(name, failures);
      this.notBefore.set(name, Date.now() + Math.min(1_000 * 2 ** (failures - 1), 10_000));
    } finally {
      this.starting.delete(name);
    }
  }

  private process(name: string): ServiceProcess {
    const p = this.processes.get(name);
    if (!p) throw new Error(`no process "${name}" (expected one of ${this.names().join(', ')})`);
    return p;
  }
}

/** The last log line at level warn or above (pino: level >= 40), else the last line. */
function lastProblem(logFile: string): string {
  const lines = tail(logFile, 60).split('\n').filter(Boolean);
  const problem = [...lines].reverse().find((l) => /"level":(4|5|6)\d/.test(l) || /Error|error/.test(l));
  return (problem ?? lines.at(-1) ?? '').slice(0, 400);
}
