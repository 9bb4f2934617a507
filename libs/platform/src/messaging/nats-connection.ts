import { readFileSync } from 'node:fs';
import { connect, ConnectionOptions, credsAuthenticator, nkeyAuthenticator, NatsConnection } from 'nats';

/**
 * How a service proves who it is to NATS, and how it checks the server: at most one of creds,
 * nkey seed and token (NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, NATS_TOKEN), and TLS files
 * (NATS_TLS_CA_FILE; NATS_TLS_CERT_FILE with NATS_TLS_KEY_FILE for a client certificate).
 * Files are read at every (re)connect, so rotated credentials are picked up without a restart.
 */
export interface NatsAuth {
  credsFile?: string;
  nkeySeedFile?: string;
  token?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** The connection options of `auth`; nothing for no auth (a local server). */
export function authOptions(auth: NatsAuth | undefined): Partial<ConnectionOptions> {
  if (!auth) return {};
  const options: Partial<ConnectionOptions> = {};
  if (auth.credsFile) options.authenticator = credsAuthenticator(() => readFileSync(auth.credsFile!));
  else if (auth.nkeySeedFile)
    options.authenticator = nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(auth.nkeySeedFile!, 'utf8').trim()));
  else if (auth.token) options.token = auth.token;
  const tls = auth.tls;
  if (tls && (tls.caFile || tls.certFile || tls.keyFile))
    options.tls = { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile };
  return options;
}

/**
 * Connects with endless reconnects: a NATS restart must not take the service down;
 * readiness reports the outage meanwhile. `waitForServer`: the first connect, too, is tried
 * again until it succeeds. No async stack traces: the client would
 * capture a stack for every request and publish (≈ 30 % of the gateway's CPU per
 * click, measured); our errors name the subject and the operation instead.
 */
export function connectNats(
  servers: string[],
  name: string,
  timeoutMs: number,
  auth?: NatsAuth,
  options: { waitForServer?: boolean } = {},
): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    timeout: timeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A service starting while NATS is down (a restart, a rollout of both) waits for it, not ready
    // meanwhile, instead of dying at start; a command (npm run dlq) says at once that NATS is not there.
    waitOnFirstConnect: options.waitForServer ?? false,
    pingInterval: 10_000,
    noAsyncTraces: true,
    ...authOptions(auth),
  });
}

/** true while the connection is up (not closed, not reconnecting). */
export function isConnected(nc: NatsConnection | undefined, reconnecting: boolean): boolean {
  return !!nc && !nc.isClosed() && !reconnecting;
}
