import type { RecordedCall } from './slack-fake.types';

const POLL_MS = 10;
const RECENT_CALLS = 15;

/**
 * Polls `predicate` until it returns a truthy value. A predicate that throws (e.g. an `expect`)
 * counts as "not yet"; its last error and the fake's recent calls go into the timeout message,
 * so a failing test says what Slack actually received.
 */
export function waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, recentCalls: () => RecordedCall[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<T>((resolve, reject) => {
    const attempt = () => {
      let lastError: unknown;
      try {
        const value = predicate();
        if (value) return resolve(value);
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) return reject(new Error(timeoutMessage(timeoutMs, lastError, recentCalls())));
      setTimeout(attempt, POLL_MS);
    };
    attempt();
  });
}

function timeoutMessage(timeoutMs: number, lastError: unknown, calls: RecordedCall[]): string {
  const because = lastError instanceof Error ? `\nlast predicate error: ${lastError.message}` : '';
  const recent = calls.slice(-RECENT_CALLS);
  const listing = recent.length ? recent.map(describeCall).join('\n') : "  (none: is the client pointed at this fake's apiUrl?)";
  const skipped = calls.length > recent.length ? ` (last ${recent.length} of ${calls.length})` : '';
  return `Slack fake: condition not met within ${timeoutMs} ms${because}\ncalls received${skipped}:\n${listing}`;
}

/** One line per call: time, method, the arguments that identify it, and the outcome. */
export function describeCall(call: RecordedCall): string {
  const time = new Date(call.at).toISOString().slice(11, 23);
  const keys = ['channel', 'users', 'user', 'ts', 'thread_ts'];
  const args = keys.filter((k) => call.args[k] !== undefined).map((k) => `${k}=${String(call.args[k])}`);
  const text = typeof call.args.text === 'string' ? ` text=${JSON.stringify(call.args.text.slice(0, 60))}` : '';
  const outcome =
    call.httpStatus === 429
      ? 'HTTP 429 ratelimited'
      : call.response.ok
        ? `ok${typeof call.response.ts === 'string' ? ` ts=${call.response.ts}` : ''}`
        : `error=${String(call.response.error)}`;
  return `  ${time} ${call.method} ${args.join(' ')}${text} -> ${outcome}`;
}
