import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import type { DataSource } from 'typeorm';
import type {
  BranchDeleted,
  BuildCompleted,
  CloseRequested,
  DeploymentFailed,
  DeploymentSucceeded,
  EventEnvelope,
  KeepRequested,
  PromoteRequested,
  QaVerdict,
} from '@app/contracts';
import { AppConfig, ensureStream, loadEnvironment, parseProjects, streamName } from '@app/platform';
import { BuildInputsService } from '../src/commands/build-inputs.service';
import { CommandPath } from '../src/commands/command-path';
import { PostgresEventStore } from '../src/event-store/event-store';
import { openEventLog } from '../src/event-store/event-log.data-source';
import { rows } from '../src/event-store/sql-executor';

/** Test support for the approvals integration specs: config, the service without Nest, inputs, readers. */

export const PROJECTS_YAML = `
projects:
  - id: test1
    name: Testing One
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01, U0OWNER02]
    approvals:
      required: 1
  - id: duo
    name: Two Approvals
    url: https://duo.example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01]
    approvals:
      required: 2
`;

export const testConfig = (
  databaseUrl: string,
  nats?: { url: string; prefix: string },
  env: Record<string, string> = {},
  projectsYaml = PROJECTS_YAML,
): AppConfig => ({
  env: loadEnvironment('approvals', {
    ...env,
    DATABASE_URL: databaseUrl,
    NATS_URL: nats?.url ?? 'nats://127.0.0.1:4222',
    NATS_SUBJECT_PREFIX: nats?.prefix ?? 'unused',
    DEPLOYBOT_CONFIG: 'test-projects.yml',
    LOG_LEVEL: 'warn',
  }),
  projects: parseProjects(projectsYaml, 'test-projects.yml'),
});

/** approvals' command side on a real database, without Nest. */
export async function openApprovals(
  databaseUrl: string,
  env: Record<string, string> = {},
  projectsYaml = PROJECTS_YAML,
): Promise<{ db: DataSource; inputs: BuildInputsService; close(): Promise<void> }> {
  const db = await openEventLog(databaseUrl, { poolSize: 12 });
  const config = testConfig(databaseUrl, undefined, env, projectsYaml);
  const deadlines = { rolloutTimeoutMs: config.env.ROLLOUT_TIMEOUT_SECONDS * 1000, graceMs: config.env.DEADLINE_GRACE_SECONDS * 1000 };
  const inputs = new BuildInputsService(new CommandPath(db, new PostgresEventStore(), deadlines), config);
  return { db, inputs, close: () => db.destroy() };
}

const envelope = <T extends string, D>(
  type: T,
  data: D,
  correlationId: string,
  actor?: EventEnvelope['actor'],
): EventEnvelope<T, D> & { id: string } => ({
  id: randomUUID(),
  type,
  streamId: `input-${correlationId}`,
  version: 0,
  occurredAt: new Date().toISOString(),
  correlationId,
  causationId: randomUUID(),
  ...(actor ? { actor } : {}),
  data,
});

export const buildCompleted = (data: Partial<BuildCompleted['data']> = {}): BuildCompleted => {
  const { digest: _digest, ...fields } = data as Partial<BuildCompleted['data']> & { digest?: string };
  const d = {
    requestId: randomUUID(),
    project: 'test1',
    image: 'registry.example.org/shop:1.0.0',
    type: 'branch' as const,
    target: 'staging',
    ...fields,
  };
  return envelope('BuildCompleted', d, d.requestId, { kind: 'ci' });
};
export const qaVerdict = (buildId: string, user: string, verdict: 'approve' | 'reject'): QaVerdict =>
  envelope('QaVerdict', { buildId, user, verdict, origin: { channel: 'D0123', messageTs: '1.2' } }, buildId, {
    kind: 'slack-user',
    id: user,
  });
export const promote = (buildId: string, user = 'U0OWNER01'): PromoteRequested =>
  envelope('PromoteRequested', { buildId, user, origin: { channel: 'D0456' } }, buildId, { kind: 'slack-user', id: user });
export const keepRequest = (buildId: string, user = 'U0OWNER01'): KeepRequested =>
  envelope('KeepRequested', { buildId, user, origin: { channel: 'D0456', messageTs: '3.4' } }, buildId, { kind: 'slack-user', id: user });
export const branchDeleted = (project: string, target: string, type: 'branch' | 'tag' = 'branch'): BranchDeleted =>
  envelope('BranchDeleted', { project, type, target }, `${project}/${type}/${target}`, { kind: 'ci' });
export const closeRequest = (buildId: string, user = 'U0OWNER01'): CloseRequested =>
  envelope('CloseRequested', { buildId, user, origin: { channel: 'D0456' } }, buildId, { kind: 'slack-user', id: user });
export const succeeded = (
  buildId: string,
  requestId: string,
  environment: 'preview' | 'production',
  url: string,
  digest?: string,
): DeploymentSucceeded =>
  envelope(
    'DeploymentSucceeded',
    { buildId, requestId, environment, url, namespace: 'default', name: 'test1', ...(digest ? { digest } : {}) },
    buildId,
    { kind: 'service', name: 'deployer' },
  );
export const failed = (buildId: string, requestId: string, environment: 'preview' | 'production', reason: string): DeploymentFailed =>
  envelope('DeploymentFailed', { buildId, requestId, environment, reason }, buildId, { kind: 'service', name: 'deployer' });

export interface StoredRow {
  position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
}

export const eventsOf = (db: DataSource, streamId?: string): Promise<StoredRow[]> =>
  rows<StoredRow>(
    db,
    `SELECT position::text AS position, stream_id, stream_version, event_id::text AS event_id, type, data FROM approvals.events
      ${streamId ? 'WHERE stream_id = $1' : ''} ORDER BY events.position`,
    streamId ? [streamId] : [],
  );

/** A build whose preview is live (registered, preview deployed). */
export async function liveBuild(
  db: DataSource,
  inputs: BuildInputsService,
  data: Partial<BuildCompleted['data']> & { digest?: string } = {},
): Promise<string> {
  await inputs.buildCompleted(buildCompleted(data));
  const registered = (await eventsOf(db)).filter((e) => e.type === 'PreviewDeploymentRequested').at(-1)!;
  const buildId = registered.data.buildId as string;
  const attemptId = (registered.data.attemptId as string | undefined) ?? registered.event_id;
  await inputs.deploymentSucceeded(succeeded(buildId, attemptId, 'preview', registered.data.url as string, data.digest));
  return buildId;
}

/** Reads every message of one of the prefix's JetStream streams, waiting until it holds `count` (or the timeout passed). */
export async function readJetStream(
  natsUrl: string,
  prefix: string,
  stream: 'EVENTS' | 'INPUTS',
  count: number,
  timeoutMs = 5_000,
): Promise<EventEnvelope[]> {
  const nc: NatsConnection = await connect({ servers: natsUrl, timeout: 3_000 });
  try {
    const name = streamName(prefix, stream);
    const jsm = await nc.jetstreamManager();
    const deadline = Date.now() + timeoutMs;
    let stored = (await jsm.streams.info(name)).state.messages;
    while (stored < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      stored = (await jsm.streams.info(name)).state.messages;
    }
    const seen: EventEnvelope[] = [];
    if (stored === 0) return seen;
    const consumer = await nc.jetstream().consumers.get(name);
    const batch = await consumer.fetch({ max_messages: stored, expires: 2_000 });
    for await (const m of batch) {
      seen.push(m.json<EventEnvelope>());
      if (seen.length === stored) break;
    }
    return seen;
  } finally {
    await nc.close();
  }
}

export async function ensureEventsStream(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, timeout: 3_000 });
  try {
    await ensureStream(await nc.jetstreamManager(), prefix, 'EVENTS');
  } finally {
    await nc.close();
  }
}
