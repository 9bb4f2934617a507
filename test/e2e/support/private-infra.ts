import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/*
 * Private NATS and Postgres servers for the tests that restart them: the machine's shared
 * servers are used by everyone else and must never be restarted.
 */

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A nats-server with JetStream on its own port and store dir, which a test may restart. */
export interface PrivateNats {
  url: string;
  prefix: string;
  /** Stops the server (SIGTERM) and starts it again on the same port and store. */
  restart(downMs?: number): Promise<void>;
  /** Starts it again after stop(), on the same port and store. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For StackOptions.nats: the streams go with the server. */
  cleanup(): Promise<void>;
}

export const NATS_SERVER = '/usr/sbin/nats-server';
export const privateNatsAvailable = (): boolean => existsSync(NATS_SERVER);

async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'deploybot-e2e-nats-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'nats-server');
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    prefix: 'deploybot',
    restart: async (downMs = 1_000) => {
      await stop();
      await sleep(downMs);
      await start();
    },
    start,
    stop,
    cleanup: async () => {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL cluster of its own (initdb + pg_ctl as the postgres user), which a test may restart. */
export interface PrivatePostgres {
  url: string;
  /** Stops the server (immediate: like a crash) and starts it again. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server like a crash (pg_ctl -m immediate). */
  stop(): void;
  /** Starts it again after stop(). */
  start(): void;
  /** stop() and start() without blocking the event loop (in-process fakes keep answering meanwhile). */
  stopAsync(): Promise<void>;
  startAsync(): Promise<void>;
  /** For StackOptions.database. */
  drop(): Promise<void>;
}

const pgBin = (): string | undefined => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  const bin = version && join(root, version, 'bin');
  return bin && existsSync(join(bin, 'pg_ctl')) ? bin : undefined;
};

const postgresUid = (): { uid: number; gid: number } | undefined => {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
    };
  } catch {
    return undefined;
  }
};

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (!pgBin()) return 'no /usr/lib/postgresql/<version>/bin/pg_ctl';
  if (process.getuid?.() !== 0) return 'initdb must run as the postgres user, which needs root to switch to';
  if (!postgresUid()) return 'no postgres user';
  if (!existsSync('/usr/sbin/runuser')) return 'no runuser';
  return undefined;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin()!;
  const owner = postgresUid()!;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-e2e-pg-'));
  chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const asPostgres = (args: string[]): void => {
    execFileSync('/usr/sbin/runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore', timeout: 60_000 });
  };
  asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const asPostgresAsync = (args: string[]): Promise<void> =>
    new Promise((resolve, reject) =>
      execFile('/usr/sbin/runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 }, (error) => (error ? reject(error) : resolve())),
    );
  const startArgs = [join(bin, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start'];
  const stopArgs = (mode: 'immediate' | 'fast') => [join(bin, 'pg_ctl'), '-D', data, '-m', mode, '-w', 'stop'];
  const start = (): void => asPostgres(startArgs);
  const stop = (mode: 'immediate' | 'fast'): void => asPostgres(stopArgs(mode));
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/deploybot`,
    restart: async (downMs = 1_000) => {
      stop('immediate');
      await sleep(downMs);
      start();
    },
    stop: () => stop('immediate'),
    start,
    stopAsync: () => asPostgresAsync(stopArgs('immediate')),
    startAsync: () => asPostgresAsync(startArgs),
    drop: async () => {
      try {
        stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
