import type { Finding } from './audit/findings';

/** One service process's log: its name (`approvals-1`) and its lines (pino JSON, one per line). */
export interface ServiceLog {
  name: string;
  lines: string[];
}

/** How many times one process may log one message at warn level or above within a window. */
export interface FloodLimit {
  windowMs: number;
  limit: number;
}

/**
 * 500 in 10 s: a retry loop that waits between tries stays far below (one a second per consumer,
 * per lease, per relay poll), a tight loop passes it within a second — F7's relay logged about
 * 4,000 a second while Postgres restarted (docs/reliability.md).
 */
export const FLOOD_LIMIT: FloodLimit = { windowMs: 10_000, limit: 500 };

/** pino's levels: 40 warn, 50 error, 60 fatal. */
const WARN = 40;

/**
 * Log floods: a process that logs the same message (pino's `msg`) at warn level or above more
 * than `limit` times within any `windowMs`. Not lost, stuck or doubled work — the audit would not
 * see it — but a tight loop that burns CPU, slows every other process and buries the logs an
 * operator needs. One finding per process and message.
 */
export function logFloods(logs: readonly ServiceLog[], limit: FloodLimit = FLOOD_LIMIT): Finding[] {
  const findings: Finding[] = [];
  for (const log of logs) {
    const byMessage = new Map<string, { times: number[]; sample: string }>();
    for (const line of log.lines) {
      const entry = parse(line);
      if (!entry) continue;
      const seen = byMessage.get(entry.msg) ?? { times: [], sample: line };
      seen.times.push(entry.at);
      byMessage.set(entry.msg, seen);
    }
    for (const [msg, { times, sample }] of byMessage) {
      const most = mostWithin(times, limit.windowMs);
      if (most.count <= limit.limit) continue;
      findings.push({
        category: 'flood',
        kind: 'log-flood',
        what:
          `${log.name} logged "${msg.slice(0, 160)}" ${most.count} times within ${limit.windowMs / 1000} s from ` +
          `${new Date(most.from).toISOString().slice(11, 23)} (${times.length} times in the run; at most ${limit.limit} are expected)`,
        evidence: [`${log.name}: ${sample.slice(0, 300)}`],
      });
    }
  }
  return findings;
}

/** A warn-or-above entry's message and time, or undefined (another level, or not pino JSON). */
function parse(line: string): { msg: string; at: number } | undefined {
  if (!line.startsWith('{') || !/"level":\s*[4-6]\d/.test(line)) return undefined;
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; time?: unknown };
    if (typeof entry.level !== 'number' || entry.level < WARN) return undefined;
    const at = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time));
    if (!Number.isFinite(at)) return undefined;
    return { msg: typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg ?? ''), at };
  } catch {
    return undefined;
  }
}

/** The largest number of `times` inside any window of `windowMs`, and where that window starts. */
function mostWithin(times: number[], windowMs: number): { count: number; from: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { count: 0, from: sorted[0] ?? 0 };
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    if (end - start + 1 > best.count) best = { count: end - start + 1, from: sorted[start] };
  }
  return best;
}
