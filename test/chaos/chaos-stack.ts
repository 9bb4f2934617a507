import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startKubernetesFake, type KubernetesFake } from '../fakes/kubernetes';
import { startSlackFake, type SlackFake } from '../fakes/slack';
import type { ServiceName } from '../e2e/support/built-services';
import { freePort } from '../e2e/support/free-port';
import {
  privatePostgresUnavailable,
  privateNatsAvailable,
  startPrivateNats,
  startPrivatePostgres,
  type PrivateNats,
  type PrivatePostgres,
} from '../e2e/support/private-infra';
import { ServiceProcess } from '../e2e/support/service-process';
import { BOT_TOKEN, CI_TOKEN, SIGNING_SECRET, type E2eProject } from '../e2e/support/stack';
import type { ChaosOptions } from './chaos-options';
import { builtSnapshot } from './built-snapshot';
import { Supervisor } from './supervisor';

/** One gateway; `replicas` processes each of approvals, deployer and notifier, each its own process and port. */
export const replicaNames = (replicas: number): Array<{ name: string; service: ServiceName }> => [
  { name: 'gateway-1', service: 'gateway' },
  ...(['approvals', 'deployer', 'notifier'] as const).flatMap((service) =>
    Array.from({ length: replicas }, (_, i) => ({ name: `${service}-${i + 1}`, service })),
  ),
];

export const PREFIX = 'deploybot';

/** Everything a chaos run drives, breaks and reads back. */
export interface ChaosStack {
  readonly slack: SlackFake;
  readonly kube: KubernetesFake;
  readonly nats: PrivateNats;
  readonly postgres: PrivatePostgres;
  readonly supervisor: Supervisor;
  readonly gatewayUrl: string;
  readonly projects: E2eProject[];
  readonly logDir: string;
  /** What was built: the working tree or a commit. */
  readonly source: string;
  stop(keepLogs: boolean): Promise<void>;
}

/** Why a chaos run cannot start here, or undefined. */
export function chaosUnavailable(): string | undefined {
  if (!privateNatsAvailable()) return 'no /usr/sbin/nats-server for a private, restartable NATS';
  return privatePostgresUnavailable();
}

/**
 * The built services (a snapshot of dist, so a rebuild by someone else mid-run changes nothing)
 * as seven processes (with the default two replicas) against a private nats-server and a private Postgres cluster (both
 * restartable, never the machine's shared ones) and the Slack and Kubernetes fakes, all on
 * 127.0.0.1. Configured only through the environment and a projects file, as an operator does.
 */
export async function startChaosStack(options: ChaosOptions, projects: E2eProject[]): Promise<ChaosStack> {
  const snapshot = builtSnapshot(options.source, options.build);
  const logDir = mkdtempSync(join(tmpdir(), 'deploybot-chaos-'));
  const cleanups: Array<() => Promise<unknown> | unknown> = [() => snapshot.remove()];
  const undo = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
  };
  try {
    const nats = await startPrivateNats();
    cleanups.push(() => nats.cleanup());
    const postgres = await startPrivatePostgres();
    cleanups.push(() => postgres.drop());
    const slack = await startSlackFake({ token: BOT_TOKEN, channels: projects.map((p) => p.channel) });
    cleanups.push(() => slack.stop());
    const kube = await startKubernetesFake({ timeScale: 0.1 });
    cleanups.push(() => kube.stop());

    const kubeconfig = join(logDir, 'kubeconfig');
    kube.writeKubeconfig(kubeconfig);
    const projectsFile = join(logDir, 'projects.yml');
    writeFileSync(projectsFile, stringify({ projects }));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: postgres.url,
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: PREFIX,
      DEPLOYBOT_CONFIG: projectsFile,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      CI_WEBHOOK_TOKEN: CI_TOKEN,
      KUBECONFIG: kubeconfig,
      ROLLOUT_TIMEOUT_SECONDS: String(options.clock.rolloutTimeoutSeconds),
      ROLLOUT_FAIL_FAST_SECONDS: '2',
      DEADLINE_GRACE_SECONDS: String(options.clock.deadlineGraceSeconds),
      SHUTDOWN_GRACE_SECONDS: String(options.clock.shutdownGraceSeconds),
      LOG_LEVEL: 'info',
    };
    const processes = new Map<string, ServiceProcess>();
    for (const { name, service } of replicaNames(options.replicas)) {
      const port = await freePort();
      processes.set(
        name,
        new ServiceProcess(service, port, { ...env, PORT: String(port) }, join(logDir, `${name}.log`), snapshot.entry(service)),
      );
    }
    const supervisor = new Supervisor(processes);
    cleanups.push(() => supervisor.stopAll());
    // approvals-1 first: it creates the streams and runs the migrations; the rest then start together.
    await processes.get('approvals-1')!.start(120_000);
    await Promise.all([...processes].filter(([name]) => name !== 'approvals-1').map(([, p]) => p.start(120_000)));
    supervisor.watch();

    return {
      slack,
      kube,
      nats,
      postgres,
      supervisor,
      gatewayUrl: processes.get('gateway-1')!.url,
      projects,
      logDir,
      source: snapshot.source,
      stop: async (keepLogs) => {
        if (!keepLogs) cleanups.unshift(() => rmSync(logDir, { recursive: true, force: true }));
        await undo();
      },
    };
  } catch (error) {
    await undo();
    rmSync(logDir, { recursive: true, force: true });
    throw error;
  }
}
