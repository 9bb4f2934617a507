import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { entryPoint, REPO_ROOT, type ServiceName } from './built-services';

/** Reads the last `lines` lines of a log file ('' when it does not exist yet). */
export function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One built deploybot service as a child process: `node dist/apps/<svc>/…/main.js` with its
 * environment, stdout and stderr appended to one log file (a restart appends to the same file).
 * `entry` runs another copy of the build (the chaos suite runs a snapshot of dist, so a
 * rebuild by someone else cannot change the services it restarts mid-run).
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | string>;

  constructor(
    readonly service: ServiceName,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly entry: string = entryPoint(service),
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the last child ended (exit code or signal); undefined while it runs or before the first start. */
  get exitStatus(): number | string | undefined {
    if (!this.child || this.running) return undefined;
    return this.child.exitCode ?? this.child.signalCode ?? undefined;
  }

  /** Starts the process and resolves once GET /readyz answers 200. */
  async start(readyTimeoutMs = 60_000): Promise<void> {
    const fd = openSync(this.logFile, 'a');
    // E2E_NODE_ARGS: Node and V8 flags for every service's command line (for benchmarks comparing
    // flags NODE_OPTIONS does not allow, such as --optimize-for-size).
    const nodeArgs = (process.env.E2E_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, this.entry], { cwd: REPO_ROOT, env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    await this.waitReady(readyTimeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.service} exited during start-up (${await this.exited}). Log tail:\n${tail(this.logFile)}`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
        last = `${res.status} ${await res.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`${this.service} was not ready within ${timeoutMs} ms (last /readyz: ${last}). Log tail:\n${tail(this.logFile)}`);
  }

  /** Sends `signal` and returns at once (SIGSTOP / SIGCONT: a process that hangs, then goes on). */
  signal(signal: NodeJS.Signals): void {
    if (this.running && this.child) this.child.kill(signal);
  }

  /** Sends `signal` and waits until the process is gone (SIGKILL after `graceMs` if it lingers). */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.running || !this.child) return;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const gone = await Promise.race([this.exited!.then(() => true), grace]);
    clearTimeout(timer);
    if (!gone) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
