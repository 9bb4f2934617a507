import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import type { NatsAuth } from '../messaging/nats-connection';
import { ConfigError } from './config-error';
import { describeIssues } from './describe-issues';

export type ServiceName = 'gateway' | 'approvals' | 'deployer' | 'notifier';

export const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: 3000, approvals: 3001, deployer: 3002, notifier: 3003 };

const intFromEnv = (min: number, max: number) =>
  z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(min).max(max);

const urlList = z
  .string()
  .min(1)
  .refine(
    (v) => v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u.trim())),
    'expected nats://host:port (comma-separated for a cluster)',
  );

const readableFile = (what: string) =>
  z.string().superRefine((path, ctx) => {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (expected the path of ${what} this process may read)` });
    }
  });

/**
 * The environment of DESIGN §7. Every service reads the whole table (defaults apply);
 * the variables a service cannot run without are listed in REQUIRED.
 */
const EnvironmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://user@host:5432/database')
    .default('postgres://postgres@localhost:5432/deploybot'),
  NATS_URL: urlList.default('nats://localhost:4222'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'expected letters, digits, "_" or "-" (one subject token)')
    .default('deploybot'),
  DEPLOYBOT_CONFIG: z.string().min(1).default('./config.yml'),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[bp]-\S+$/, 'expected a Slack bot token starting with xoxb-')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the Slack app signing secret').optional(),
  /** The gateway: an app-level token with connections:write; when set, Slack reaches the gateway over Socket Mode too. */
  SLACK_APP_TOKEN: z
    .string()
    .regex(
      /^xapp-\S+$/,
      'expected a Slack app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)',
    )
    .optional(),
  SLACK_API_URL: z.url({ error: 'expected a URL like https://slack.com/api/' }).default('https://slack.com/api/'),
  CI_WEBHOOK_TOKEN: z.string().min(16, 'expected a shared secret of at least 16 characters').optional(),
  KUBECONFIG: z.string().min(1).optional(),
  PORT: intFromEnv(0, 65535).optional(),
  ROLLOUT_TIMEOUT_SECONDS: intFromEnv(1, 86_400).default(300),
  ROLLOUT_FAIL_FAST_SECONDS: intFromEnv(0, 86_400).default(30),
  /** How long approvals waits for the deployer's answer beyond the rollout deadline before it records the attempt failed. */
  DEADLINE_GRACE_SECONDS: intFromEnv(0, 3_600).default(60),
  /**
   * On SIGTERM, how long in-flight work (a rollout being watched) may run on before its shutdown
   * signal is aborted; it then has 2 s to hand its message back. Keep Kubernetes'
   * terminationGracePeriodSeconds at least ~5 s above this.
   */
  SHUTDOWN_GRACE_SECONDS: intFromEnv(0, 3_600).default(25),
  /**
   * The notifier: how long after an event its Slack messages may wait for Slack to answer again
   * (an outage) before the event is dead-lettered. At most 168 (7 days): the EVENTS stream keeps
   * messages that long.
   */
  SLACK_OUTAGE_MAX_HOURS: intFromEnv(1, 168).default(24),
  /**
   * How long a message may be put off with RetryLater (counted from when it was stored) before a
   * RetryLater counts as a failure. At most 7 days: the EVENTS and INPUTS streams keep messages that long.
   */
  RETRY_LATER_MAX_AGE_SECONDS: intFromEnv(60, 604_800).default(86_400),
  /**
   * approvals: how long the record that an input was handled is kept (it makes a redelivered input
   * do nothing). At least 38 days: a message can come back for 7 days from INPUTS and 30 from the
   * DLQ. The event log itself is never trimmed (docs/operations.md "Retention").
   */
  PROCESSED_INPUTS_RETENTION_DAYS: intFromEnv(38, 36_500).default(45),
  /**
   * notifier: how long the record of a Slack post made for one event is kept (it keeps a redelivered
   * event from posting twice). At least 38 days, for the same reason. Where each tracked message is
   * (what later events edit) is kept for as long as the build exists.
   */
  SLACK_EFFECTS_RETENTION_DAYS: intFromEnv(38, 36_500).default(45),
  /** Replicas of every JetStream stream and key-value bucket deploybot creates: 1 on one server, 3 on a cluster. */
  NATS_STREAM_REPLICAS: intFromEnv(1, 5).default(1),
  /** A NATS credentials file (JWT + nkey seed, `nsc generate creds`); at most one of this, NATS_NKEY_SEED_FILE and NATS_TOKEN. */
  NATS_CREDS_FILE: readableFile('a NATS .creds file').optional(),
  /** A file holding a user nkey seed (`SU…`). */
  NATS_NKEY_SEED_FILE: readableFile('a file with an nkey seed').optional(),
  /** A token the server accepts (`authorization { token: … }`). */
  NATS_TOKEN: z.string().min(8, 'expected the token the NATS server accepts (8 characters at least)').optional(),
  /** CA certificate(s) to verify the NATS server with (PEM); the server's URL may then be tls://. */
  NATS_TLS_CA_FILE: readableFile('a PEM CA certificate').optional(),
  /** Client certificate (PEM), with NATS_TLS_KEY_FILE, for servers that verify clients. */
  NATS_TLS_CERT_FILE: readableFile('a PEM client certificate').optional(),
  NATS_TLS_KEY_FILE: readableFile('the PEM key of NATS_TLS_CERT_FILE').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type ParsedEnvironment = z.output<typeof EnvironmentSchema>;

export type Environment = Omit<ParsedEnvironment, 'PORT'> & { PORT: number; SERVICE: ServiceName };

const REQUIRED: Record<ServiceName, (keyof ParsedEnvironment)[]> = {
  gateway: ['CI_WEBHOOK_TOKEN', 'SLACK_SIGNING_SECRET'],
  approvals: [],
  deployer: [],
  notifier: ['SLACK_BOT_TOKEN'],
};

/** Validates `env` for one service; throws ConfigError naming every bad or missing variable. */
export function loadEnvironment(service: ServiceName, env: NodeJS.ProcessEnv = process.env): Environment {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvironmentSchema.safeParse(present);
  const problems = result.success ? [] : describeIssues(result.error);
  for (const name of REQUIRED[service]) {
    // In Socket Mode Slack reaches the gateway over the connection its app token opens: no signed HTTP requests needed.
    if (name === 'SLACK_SIGNING_SECRET' && present.SLACK_APP_TOKEN) continue;
    if (!present[name]) problems.push(`${name}: required by the ${service} (see README, "Configuration")`);
  }
  problems.push(...natsAuthProblems(present));
  if (!result.success || problems.length) throw new ConfigError('environment', problems);
  return { ...result.data, PORT: result.data.PORT ?? DEFAULT_PORTS[service], SERVICE: service };
}

/** Rules between the NATS credential variables, named like every other problem. */
function natsAuthProblems(present: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const secrets = ['NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_TOKEN'].filter((name) => present[name]);
  if (secrets.length > 1) problems.push(`${secrets.join(', ')}: set at most one of them (one way to authenticate)`);
  if (!present.NATS_TLS_CERT_FILE !== !present.NATS_TLS_KEY_FILE) {
    problems.push(
      `${present.NATS_TLS_CERT_FILE ? 'NATS_TLS_KEY_FILE' : 'NATS_TLS_CERT_FILE'}: a client certificate needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE`,
    );
  }
  return problems;
}

/** How the services authenticate to NATS and verify it, from the environment; undefined when nothing is set. */
export function natsAuthOf(env: Environment): NatsAuth | undefined {
  const tls = { caFile: env.NATS_TLS_CA_FILE, certFile: env.NATS_TLS_CERT_FILE, keyFile: env.NATS_TLS_KEY_FILE };
  const auth: NatsAuth = {
    ...(env.NATS_CREDS_FILE ? { credsFile: env.NATS_CREDS_FILE } : {}),
    ...(env.NATS_NKEY_SEED_FILE ? { nkeySeedFile: env.NATS_NKEY_SEED_FILE } : {}),
    ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
    ...(tls.caFile || tls.certFile ? { tls } : {}),
  };
  return Object.keys(auth).length ? auth : undefined;
}
