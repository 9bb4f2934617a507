import { accessSync, constants } from 'node:fs';
import type { NatsAuth } from '../messaging/nats-connection';
import { DlqProblem } from './dlq.problems';

/** Where the CLI connects: the services' own variables, so it reaches the NATS they use, as they do. */
export interface DlqEnvironment {
  servers: string[];
  prefix: string;
  auth?: NatsAuth;
  /** Replicas of the audit stream the CLI creates (NATS_STREAM_REPLICAS, as the services' streams). */
  replicas: number;
  /** Who acts, when --by is not given. */
  operator?: string;
}

/**
 * Reads NATS_URL, NATS_SUBJECT_PREFIX, the credentials and TLS files (NATS_CREDS_FILE,
 * NATS_NKEY_SEED_FILE, NATS_TOKEN, NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE),
 * NATS_STREAM_REPLICAS and DLQ_OPERATOR, with the services' defaults and rules; throws a
 * DlqProblem naming every variable that is wrong.
 */
export function dlqEnvironment(env: NodeJS.ProcessEnv): DlqEnvironment {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];

  const servers = (get('NATS_URL') ?? 'nats://localhost:4222').split(',').map((s) => s.trim());
  const bad = servers.find((s) => !/^(nats|tls|ws|wss):\/\/\S+$/.test(s));
  if (bad !== undefined) problems.push(`NATS_URL: "${bad}" is not a NATS URL (expected nats://host:port, comma-separated for a cluster)`);

  const prefix = get('NATS_SUBJECT_PREFIX') ?? 'deploybot';
  if (!/^[a-zA-Z0-9_-]+$/.test(prefix))
    problems.push(`NATS_SUBJECT_PREFIX: "${prefix}" is not one subject token (expected letters, digits, "_" or "-")`);

  const replicas = Number(get('NATS_STREAM_REPLICAS') ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    problems.push(`NATS_STREAM_REPLICAS: expected a whole number from 1 to 5`);

  const secrets = ['NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_TOKEN'].filter((n) => get(n) !== undefined);
  if (secrets.length > 1) problems.push(`${secrets.join(', ')}: set at most one of them`);
  const files = ['NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'];
  for (const name of files.filter((n) => get(n) !== undefined)) {
    if (!readable(get(name)!)) problems.push(`${name}: cannot read ${get(name)}`);
  }
  if ((get('NATS_TLS_CERT_FILE') === undefined) !== (get('NATS_TLS_KEY_FILE') === undefined)) {
    problems.push('NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE: a client certificate needs both');
  }
  if (problems.length) throw new DlqProblem(`the environment is not usable:\n  ${problems.join('\n  ')}`);

  const tls = { caFile: get('NATS_TLS_CA_FILE'), certFile: get('NATS_TLS_CERT_FILE'), keyFile: get('NATS_TLS_KEY_FILE') };
  const auth: NatsAuth = {
    ...(get('NATS_CREDS_FILE') ? { credsFile: get('NATS_CREDS_FILE') } : {}),
    ...(get('NATS_NKEY_SEED_FILE') ? { nkeySeedFile: get('NATS_NKEY_SEED_FILE') } : {}),
    ...(get('NATS_TOKEN') ? { token: get('NATS_TOKEN') } : {}),
    ...(tls.caFile || tls.certFile ? { tls } : {}),
  };
  return { servers, prefix, replicas, auth: Object.keys(auth).length ? auth : undefined, operator: get('DLQ_OPERATOR') };
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
