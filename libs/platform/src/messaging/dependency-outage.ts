/**
 * Whether a handler's error means a dependency it talks to over the network (PostgreSQL above
 * all) could not be reached — refused, reset, timed out, shutting down, starting up — rather
 * than that the message itself is wrong. Such a failure says nothing about the message: the
 * transport puts it off without counting the delivery (like a `RetryLater`), so an outage of any
 * length short of `retryLaterMaxAgeMs` dead-letters nothing (docs/reliability.md F5).
 *
 * Returns a short description for the log (`ECONNREFUSED`, `57P01 admin_shutdown`), or undefined.
 */
export function dependencyOutage(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 6; depth++) {
    const found = describe(e);
    if (found) return found;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Socket errors of a connection that could not be made or was lost. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** SQLSTATEs of a server that is away or going: connection exceptions (class 08), shutdown, start-up, too many connections. */
const SQLSTATES: Record<string, string> = {
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
  '53300': 'too_many_connections',
};

/** What node-postgres and its pool throw when the connection goes or cannot be had. */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client was closed and is not queryable/i,
];

function describe(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return code;
    if (SQLSTATES[code]) return `${code} ${SQLSTATES[code]}`;
    if (/^08[0-9A-Z]{3}$/.test(code)) return `${code} connection_exception`;
  }
  const message = (e as { message?: unknown }).message;
  if (typeof message === 'string') {
    const match = MESSAGES.find((pattern) => pattern.test(message));
    if (match) return message.split('\n')[0].slice(0, 120);
  }
  return undefined;
}
