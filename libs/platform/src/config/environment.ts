import { z } from 'zod';
import { ConfigError } from './config-error';
import { describeIssues } from './describe-issues';

export type ServiceName = 'gateway' | 'approvals' | 'deployer' | 'notifier';

export const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: 3000, approvals: 3001, deployer: 3002, notifier: 3003 };

const intFromEnv = (min: number, max: number) => z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(min).max(max);

const urlList = z
  .string()
  .min(1)
  .refine((v) => v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u.trim())), 'expected nats://host:port (comma-separated for a cluster)');

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
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-\S+$/, 'expected a Slack bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the Slack app signing secret').optional(),
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
    if (!present[name]) problems.push(`${name}: required by the ${service} (see README, "Configuration")`);
  }
  if (!result.success || problems.length) throw new ConfigError('environment', problems);
  return { ...result.data, PORT: result.data.PORT ?? DEFAULT_PORTS[service], SERVICE: service };
}
