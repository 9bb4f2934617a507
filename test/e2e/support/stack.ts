import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startKubernetesFake, type KubernetesFake } from '../../fakes/kubernetes';
import { startSlackFake, type SlackFake, type SlashCommandResult } from '../../fakes/slack';
import { createTestDatabase, createTestNats } from '../../infra/test-infra';
import { ensureBuilt, SERVICES, type ServiceName } from './built-services';
import { freePort } from './free-port';
import { ServiceProcess, tail } from './service-process';
import { signedInteraction, type SlackClickInput } from './slack-click';

/** One project of the projects file (docs/architecture.md §7), written as YAML for the services. */
export interface E2eProject {
  id: string;
  name: string;
  url: string;
  channel: string;
  qa?: string[];
  owners: string[];
  namespace?: string;
  port?: number;
  replicas?: number;
  approvals?: { required: number; remindAfter?: string; expireAfter?: string };
  /** Durations as the projects file writes them (`10s`): the e2e tests shorten hours to seconds. */
  previews?: { removeAfterProduction?: boolean; ttl?: string; remindBefore?: string };
}

/** How to start a stack; everything has an e2e default. */
export interface StackOptions {
  projects: E2eProject[];
  /** Extra or overriding environment for every service (e.g. ROLLOUT_TIMEOUT_SECONDS). */
  env?: Record<string, string>;
  /** Use this NATS instead of a fresh prefix on the shared test NATS (e.g. a private nats-server). */
  nats?: { url: string; prefix: string; cleanup(): Promise<void> };
  /** Use this database instead of a fresh one on the shared test Postgres (e.g. a private cluster). */
  database?: { url: string; drop(): Promise<void> };
  /** Kubernetes fake time scale: multiplies pod readiness, back-offs and progress deadlines. */
  timeScale?: number;
}

/** An HTTP answer: status and parsed JSON body (or the text, or undefined when empty). */
export interface HttpAnswer {
  status: number;
  body: any;
}

/** The whole product running as four processes against the two fakes. */
export interface Stack {
  readonly slack: SlackFake;
  readonly kube: KubernetesFake;
  readonly gatewayUrl: string;
  readonly ciToken: string;
  readonly signingSecret: string;
  readonly services: Record<ServiceName, ServiceProcess>;
  readonly tempDir: string;
  /** CI: POST /build-complete form-encoded with the bearer token. */
  ciBuildComplete(form: Record<string, string>, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** Slack: a signed block_actions click on one of deploybot's buttons. */
  slackClick(input: Omit<SlackClickInput, 'signingSecret'>): Promise<HttpAnswer>;
  /** Slack: `user` types `/deploybot <text>` in `channel` (a channel id, or a user id for their DM with the bot). */
  slashCommand(user: string, channel: string, text: string): Promise<SlashCommandResult>;
  /** GET /v1/builds/:id with the CI token. */
  getBuild(id: string): Promise<HttpAnswer>;
  /** Polls until `predicate` is truthy; the timeout error carries every service's log tail. */
  waitFor<T>(what: string, predicate: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting for an exit: `SIGSTOP` hangs a service, `SIGCONT` lets it go on. */
  signal(service: ServiceName, signal: NodeJS.Signals): void;
  restart(service: ServiceName): Promise<void>;
  /** Resolves once every service answers /readyz with 200 (e.g. after NATS or Postgres came back). */
  waitAllReady(timeoutMs?: number): Promise<void>;
  logTails(lines?: number): string;
  stop(): Promise<void>;
}

export const CI_TOKEN = 'e2e-ci-token-0123456789abcdef';
export const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-e2e-bot-token';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  if (!text) return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function waitForReady(service: string, url: string, timeoutMs: number, logTails: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${service} did not become ready again within ${timeoutMs} ms (last /readyz: ${last})\n${logTails()}`);
}

/**
 * Starts deploybot the way an operator runs it: the four BUILT services as separate processes,
 * configured only through the environment and the projects file, against a fresh database, a
 * fresh NATS prefix, the Slack Web API fake and the Kubernetes API fake.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  ensureBuilt();
  const tempDir = mkdtempSync(join(tmpdir(), 'deploybot-e2e-'));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(tempDir, { recursive: true, force: true })];
  const undo = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const database = options.database ?? (await createTestDatabase());
    cleanups.push(() => database.drop());
    const nats = options.nats ?? (await createTestNats());
    cleanups.push(() => nats.cleanup());
    const slack = await startSlackFake({ token: BOT_TOKEN, channels: options.projects.map((p) => p.channel) });
    cleanups.push(() => slack.stop());
    const kube = await startKubernetesFake({ timeScale: options.timeScale ?? 0.1 });
    cleanups.push(() => kube.stop());

    const kubeconfig = join(tempDir, 'kubeconfig');
    kube.writeKubeconfig(kubeconfig);
    const projectsFile = join(tempDir, 'projects.yml');
    writeFileSync(projectsFile, stringify({ projects: options.projects }));

    const sharedEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: nats.prefix,
      DEPLOYBOT_CONFIG: projectsFile,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      CI_WEBHOOK_TOKEN: CI_TOKEN,
      KUBECONFIG: kubeconfig,
      ROLLOUT_TIMEOUT_SECONDS: '60',
      ROLLOUT_FAIL_FAST_SECONDS: '2',
      // A stop (SIGTERM) lets in-flight work run this long; the stack's kill() waits 15 s before SIGKILL.
      SHUTDOWN_GRACE_SECONDS: '2',
      // E2E_LOG_LEVEL=debug (with E2E_KEEP_LOGS=1) to read what a failed run's services did.
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
      ...options.env,
    };
    const services = {} as Record<ServiceName, ServiceProcess>;
    for (const service of SERVICES) {
      const port = await freePort();
      services[service] = new ServiceProcess(service, port, { ...sharedEnv, PORT: String(port) }, join(tempDir, `${service}.log`));
    }
    // A stopped (SIGSTOP) service cannot act on SIGTERM: let it go on first.
    cleanups.push(() => Promise.all(SERVICES.map((s) => (services[s].signal('SIGCONT'), services[s].kill('SIGTERM')))));
    // approvals first: it creates the streams and runs its migrations; the others then start together.
    await services.approvals.start();
    await Promise.all((['gateway', 'deployer', 'notifier'] as const).map((s) => services[s].start()));

    const gatewayUrl = services.gateway.url;
    const logTails = (lines = 25): string =>
      SERVICES.map((s) => `----- ${s} (${services[s].logFile}) -----\n${tail(services[s].logFile, lines)}`).join('\n');
    return {
      slack,
      kube,
      gatewayUrl,
      ciToken: CI_TOKEN,
      signingSecret: SIGNING_SECRET,
      services,
      tempDir,
      ciBuildComplete: async (form, headers = {}) =>
        answer(
          await fetch(`${gatewayUrl}/build-complete`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${CI_TOKEN}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
            body: new URLSearchParams(form).toString(),
            signal: AbortSignal.timeout(15_000),
          }),
        ),
      slackClick: async (input) => {
        const { body, headers } = signedInteraction({ ...input, signingSecret: SIGNING_SECRET });
        return answer(
          await fetch(`${gatewayUrl}/slack/interactions`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) }),
        );
      },
      slashCommand: (user, channel, text) =>
        slack.slashCommand({ url: `${gatewayUrl}/slack/commands`, signingSecret: SIGNING_SECRET, user, channel, text }),
      getBuild: async (id) =>
        answer(
          await fetch(`${gatewayUrl}/v1/builds/${encodeURIComponent(id)}`, {
            headers: { Authorization: `Bearer ${CI_TOKEN}` },
            signal: AbortSignal.timeout(15_000),
          }),
        ),
      waitFor: async (what, predicate, timeoutMs = 30_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = await predicate();
          if (value) return value;
          if (Date.now() > deadline) {
            const down = SERVICES.filter((s) => !services[s].running);
            throw new Error(
              `timed out after ${timeoutMs} ms waiting for: ${what}` +
                (down.length ? `\nnot running: ${down.join(', ')}` : '') +
                `\nrecent Slack calls:\n${slack
                  .calls()
                  .slice(-8)
                  .map((c) => `  ${c.method} ${JSON.stringify(c.args).slice(0, 200)}`)
                  .join('\n')}\n${logTails(15)}`,
            );
          }
          await sleep(100);
        }
      },
      kill: (service, signal = 'SIGTERM') => services[service].kill(signal),
      signal: (service, signal) => services[service].signal(signal),
      restart: async (service) => {
        await services[service].kill('SIGTERM');
        await services[service].start();
      },
      logTails,
      waitAllReady: async (timeoutMs = 60_000) => {
        for (const service of SERVICES) {
          await waitForReady(service, services[service].url, timeoutMs, logTails);
        }
      },
      stop: async () => {
        if (process.env.E2E_KEEP_LOGS === '1') {
          cleanups.shift();
          process.stderr.write(`e2e: service logs kept in ${tempDir}\n`);
        }
        await undo();
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
