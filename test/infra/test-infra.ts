import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { connect } from 'nats';
import { Client } from 'pg';

/**
 * Where the integration and e2e tests find Postgres and NATS (docs/architecture.md §8):
 * 1. DATABASE_URL / NATS_URL when set (the admin database: tests create their own in it);
 * 2. else containers through testcontainers when a Docker engine answers;
 * 3. else the local services when something listens on 5432 / 4222;
 * 4. else fail, saying how to provide them.
 */
export interface TestInfra {
  /** A URL to an existing database the tests may use to create and drop their own. */
  adminDatabaseUrl: string;
  natsUrl: string;
  source: 'environment' | 'testcontainers' | 'local';
  stop(): Promise<void>;
}

let shared: Promise<TestInfra> | undefined;

export function testInfra(): Promise<TestInfra> {
  shared ??= resolve();
  return shared;
}

async function resolve(): Promise<TestInfra> {
  const envDb = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const envNats = process.env.TEST_NATS_URL ?? process.env.NATS_URL;
  if (envDb && envNats) return { adminDatabaseUrl: envDb, natsUrl: envNats, source: 'environment', stop: async () => undefined };

  if (await dockerAvailable()) return startContainers(envDb, envNats);

  const [pg, nats] = await Promise.all([listening('127.0.0.1', 5432), listening('127.0.0.1', 4222)]);
  if ((envDb || pg) && (envNats || nats)) {
    return {
      adminDatabaseUrl: envDb ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      natsUrl: envNats ?? 'nats://127.0.0.1:4222',
      source: 'local',
      stop: async () => undefined,
    };
  }
  throw new Error(
    'No PostgreSQL/NATS for the tests: set DATABASE_URL and NATS_URL (NATS with JetStream, e.g. `nats-server -js`), ' +
      'or start a Docker engine (testcontainers), or run PostgreSQL on 127.0.0.1:5432 and nats-server -js on 127.0.0.1:4222.',
  );
}

async function dockerAvailable(): Promise<boolean> {
  if (process.env.DEPLOYBOT_TEST_NO_DOCKER === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    return await getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
  } catch {
    return false;
  }
}

async function startContainers(envDb?: string, envNats?: string): Promise<TestInfra> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const stops: (() => Promise<unknown>)[] = [];
  let adminDatabaseUrl = envDb;
  if (!adminDatabaseUrl) {
    const pg = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    stops.push(() => pg.stop());
    adminDatabaseUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  let natsUrl = envNats;
  if (!natsUrl) {
    const nats = await new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start();
    stops.push(() => nats.stop());
    natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  }
  return { adminDatabaseUrl, natsUrl, source: 'testcontainers', stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** A short unique name for databases, stream prefixes and the like. */
export const uniqueName = (prefix = 't'): string => `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** A fresh database of its own for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const infra = await testInfra();
  const name = uniqueName('deploybot_test_');
  const admin = new Client({ connectionString: infra.adminDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(infra.adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: infra.adminDatabaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A fresh subject/stream prefix for one test; `cleanup()` deletes the streams and key-value buckets made under it. */
export async function createTestNats(): Promise<{ url: string; prefix: string; cleanup(): Promise<void> }> {
  const infra = await testInfra();
  const prefix = uniqueName('t');
  return {
    url: infra.natsUrl,
    prefix,
    cleanup: async () => {
      const nc = await connect({ servers: infra.natsUrl, timeout: 3_000 });
      try {
        const jsm = await nc.jetstreamManager();
        for await (const stream of jsm.streams.list()) {
          // The prefix's streams, and its key-value buckets (streams named KV_<PREFIX>_…, e.g. the transport's interruption counts).
          const name = stream.config.name;
          if (name.startsWith(`${prefix.toUpperCase()}_`) || name.startsWith(`KV_${prefix.toUpperCase()}_`)) await jsm.streams.delete(name);
        }
      } finally {
        await nc.close();
      }
    },
  };
}
