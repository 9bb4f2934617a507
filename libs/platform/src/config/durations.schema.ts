import { z } from 'zod';

/*
 * Durations of the projects file (`previews.ttl: 72h`, `approvals.remindAfter: 4h`): how long a
 * preview lives, when people are reminded, when an approval request expires. Tests shorten them
 * to seconds. Part of the operator's contract: the accepted units only ever grow.
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest duration accepted (a year): anything longer is a typo, and Postgres and JS dates stay far from their limits. */
const MAX_MS = 366 * UNIT_MS.d;

/** `90s`, `30m`, `72h`, `7d`, or combined from the largest unit down (`1h30m`) → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return d * UNIT_MS.d + h * UNIT_MS.h + m * UNIT_MS.m + s * UNIT_MS.s;
}

/** `259200000` → `72h`; `5400000` → `1h30m`; `604800000` → `7d`: how a duration is written back to people (TTLs up to 3 days read as hours). */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const units: [string, number][] = [
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  if (rest > 3 * 86_400) units.unshift(['d', 86_400]);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length ? parts.join('') : '0s';
}

/** A duration field: written `72h` in YAML, read as milliseconds. */
export const Duration = z.string({ error: 'expected a duration like 72h, 30m, 90s or 7d' }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (expected e.g. 72h, 30m, 90s, 7d or 1h30m)` });
    return z.NEVER;
  }
  if (ms < UNIT_MS.s) {
    ctx.addIssue({ code: 'custom', message: 'expected at least 1s' });
    return z.NEVER;
  }
  if (ms > MAX_MS) {
    ctx.addIssue({ code: 'custom', message: 'expected at most 366d' });
    return z.NEVER;
  }
  return ms;
});
