import { ReplayHeaders } from './replay-headers';
import type { ActionResult } from './dead-letter-actions';
import type { DeadLetter } from './dead-letter';
import type { StoredAuditRecord } from './dead-letter-audit';

/** `45s`, `12m`, `3h05m`, `2d04h`: how long ago, at a glance. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/** Columns padded to their widest cell; the last column runs free. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A per-service summary, then one row per dead letter (the reason cut to `reasonWidth`). */
export function listView(letters: DeadLetter[], now: Date, reasonWidth = 70): string[] {
  if (!letters.length) return ['no dead letters'];
  const byService = new Map<string, DeadLetter[]>();
  for (const l of letters) byService.set(l.service, [...(byService.get(l.service) ?? []), l]);
  const summary = [...byService].map(
    ([service, ls]) =>
      `${service}: ${ls.length} dead letter${ls.length === 1 ? '' : 's'}, oldest ${formatAge(now.getTime() - ls[0].deadLetteredAt.getTime())}`,
  );
  const rows = letters.map((l) => [
    String(l.seq),
    l.service,
    l.subject,
    l.buildId ?? '-',
    formatAge(now.getTime() - l.deadLetteredAt.getTime()),
    l.deliveries === undefined ? '-' : String(l.deliveries),
    cut(oneLine(l.reason), reasonWidth),
  ]);
  return [...summary, '', ...table(['SEQ', 'SERVICE', 'SUBJECT', 'BUILD', 'AGE', 'DELIVERIES', 'REASON'], rows)];
}

/** The JSON form of a dead letter (`--json`): everything but the raw bytes. */
export function letterJson(l: DeadLetter, now: Date): Record<string, unknown> {
  const { data: _data, deadLetteredAt, ...rest } = l;
  return {
    ...rest,
    deadLetteredAt: deadLetteredAt.toISOString(),
    ageSeconds: Math.round((now.getTime() - deadLetteredAt.getTime()) / 1000),
  };
}

export function showView(l: DeadLetter, stream: string, now: Date): string[] {
  const field = (name: string, value: string) => `  ${name.padEnd(14)}${value}`;
  return [
    `dead letter #${l.seq} in ${stream}`,
    field('service', l.service),
    field('subject', `${l.subject}  (stored as ${l.dlqSubject})`),
    field('build', l.buildId ?? '-'),
    field('event', l.eventId ? `${l.eventId}${l.eventType ? ` (${l.eventType})` : ''}` : '-'),
    field('reason', oneLine(l.reason)),
    field('deliveries', l.deliveries === undefined ? '-' : String(l.deliveries)),
    field('dead-lettered', `${l.deadLetteredAt.toISOString()} (${formatAge(now.getTime() - l.deadLetteredAt.getTime())} ago)`),
    'headers',
    ...Object.entries(l.headers).map(([k, v]) => `  ${k}: ${v}`),
    'payload',
    ...(typeof l.payload === 'string' ? [l.payload] : JSON.stringify(l.payload, null, 2).split('\n')),
  ];
}

/** One line per result, a note where the operator should know more. */
export function actionView(result: ActionResult): string[] {
  switch (result.outcome) {
    case 'replayed': {
      const { deadLetter: d, replay } = result.record;
      const lines = [
        `replayed #${result.seq} (${d.service} ${d.subject}, build ${d.buildId ?? '-'}) as ${replay!.stream} #${replay!.seq}${replay!.duplicate ? ' (already there: JetStream kept the first copy)' : ''}; removed from the DLQ`,
      ];
      if (result.alsoDeliveredTo.length) {
        lines.push(
          `  note: also delivered to ${result.alsoDeliveredTo.join(', ')} (consuming ${d.subject} too): a transport that honours ${ReplayHeaders.For} skips it there; otherwise that service's own idempotency applies`,
        );
      }
      return lines;
    }
    case 'dropped':
      return [
        `dropped #${result.seq} (${result.record.deadLetter.service} ${result.record.deadLetter.subject}, build ${result.record.deadLetter.buildId ?? '-'}): ${result.record.why}`,
      ];
    case 'already': {
      const r = result.record;
      const what =
        r.action === 'replay-started' ? 'a replay was started' : r.action === 'replayed' ? 'already replayed' : 'already dropped';
      const leftover = result.removedLeftover ? '; the copy that run left in the DLQ is removed now' : '';
      return [`#${result.seq}: ${what} by ${r.by} at ${r.at} (${r.why}); nothing to do${leftover}`];
    }
    case 'refused':
      return [`refused #${result.seq}: ${result.problem}`];
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
}

export function historyView(records: StoredAuditRecord[]): string[] {
  if (!records.length) return ['no replays or drops recorded'];
  const rows = records.map((r) => [
    r.at,
    r.action + (r.forced ? ' (forced)' : ''),
    String(r.deadLetter.seq),
    r.deadLetter.service,
    r.deadLetter.subject,
    r.deadLetter.buildId ?? '-',
    r.by,
    oneLine(r.why) + (r.replay ? ` → ${r.replay.stream} #${r.replay.seq}` : ''),
  ]);
  return table(['AT', 'ACTION', 'SEQ', 'SERVICE', 'SUBJECT', 'BUILD', 'BY', 'WHY'], rows);
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const cut = (s: string, width: number) => (s.length <= width ? s : `${s.slice(0, width - 1)}…`);
