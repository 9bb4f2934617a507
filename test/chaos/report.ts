import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FaultKind } from './chaos-options';
import type { Finding, FindingCategory } from './audit/findings';

/** One run in figures: what the report prints and docs/reliability.md keeps. */
export interface RunSummary {
  date: string;
  /** What ran: `working tree` or `commit <sha>`; and the processes. */
  source: string;
  processes: string[];
  flows: number;
  projects: number;
  seed: number;
  faultKinds: FaultKind[];
  faults: Partial<Record<FaultKind, number>>;
  lost: number;
  stuck: number;
  doubled: number;
  wrongDigest: number;
  /** Log floods (log-floods.ts): one message logged at warn or above in a tight loop. */
  floods: number;
  durationSeconds: number;
  builds: number;
  statuses: Record<string, number>;
  posts: number;
  clicks: number;
  ciCalls: number;
  flowsGaveUp: number;
  unplannedExits: number;
  deadLetters: number;
  settled: boolean;
}

export const CATEGORIES: FindingCategory[] = ['lost', 'stuck', 'doubled', 'wrong-digest', 'flood'];
const RUNS_MARKER = '<!-- chaos-runs: the suite appends each run below this line -->';

const faultsText = (faults: RunSummary['faults']): string =>
  Object.entries(faults)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'none';

/** Findings grouped by category and kind: count, then up to `examples` of each. */
export function groupFindings(findings: readonly Finding[], examples = 2, evidenceLines = 3): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(`${f.category} · ${f.kind}`, [...(groups.get(`${f.category} · ${f.kind}`) ?? []), f]);
  const lines: string[] = [];
  for (const [group, items] of [...groups].sort()) {
    lines.push(`${group}: ${items.length}`);
    for (const f of items.slice(0, examples)) {
      lines.push(`    ${f.project ?? ''} ${f.buildId ?? ''} ${f.what}`.replace(/\s+/g, ' ').trim().replace(/^/, '    '));
      for (const e of (f.evidence ?? []).slice(0, evidenceLines)) lines.push(`        ${e.slice(0, 300)}`);
    }
  }
  return lines;
}

export function printSummary(s: RunSummary, findings: readonly Finding[], write: (line: string) => void): void {
  write('');
  write(
    `chaos run ${s.date}: ${s.flows} flows over ${s.projects} projects, seed ${s.seed}, ${s.durationSeconds} s (${s.source}; ${s.processes.join(' ')})`,
  );
  write(`  faults injected: ${faultsText(s.faults)} (enabled: ${s.faultKinds.join(', ') || 'none'})`);
  write(
    `  builds: ${s.builds} (${Object.entries(s.statuses)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}); Slack posts ${s.posts}; CI calls ${s.ciCalls}; clicks ${s.clicks}`,
  );
  write(
    `  process exits nobody asked for: ${s.unplannedExits}; dead letters: ${s.deadLetters}; flows the driver gave up on: ${s.flowsGaveUp}; settled: ${s.settled ? 'yes' : 'NO'}`,
  );
  write(`  LOST ${s.lost} · STUCK ${s.stuck} · DOUBLED ${s.doubled} · WRONG DIGEST ${s.wrongDigest} · LOG FLOODS ${s.floods}`);
  for (const line of groupFindings(findings, 3)) write(`  ${line}`);
}

/** Appends the run's table (and its findings, grouped) to the doc, under the runs marker. */
export function appendRun(file: string, s: RunSummary, findings: readonly Finding[]): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : `# Reliability\n\n## Runs\n\n${RUNS_MARKER}\n`;
  const withMarker = doc.includes(RUNS_MARKER) ? doc : `${doc.trimEnd()}\n\n## Runs\n\n${RUNS_MARKER}\n`;
  const table = [
    `### ${s.date} — ${s.flows} flows, seed ${s.seed}`,
    '',
    '| date | flows | projects | seed | faults by kind | lost | stuck | doubled | wrong digest | log floods | duration |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    `| ${s.date} | ${s.flows} | ${s.projects} | ${s.seed} | ${faultsText(s.faults)} | ${s.lost} | ${s.stuck} | ${s.doubled} | ${s.wrongDigest} | ${s.floods} | ${Math.round(s.durationSeconds / 6) / 10} min |`,
    '',
    `Ran ${s.source} as ${s.processes.join(', ')}. Builds ${s.builds} (${Object.entries(s.statuses)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}); Slack posts ${s.posts}; ` +
      `unplanned process exits ${s.unplannedExits}; dead letters ${s.deadLetters}; flows given up ${s.flowsGaveUp}; settled ${s.settled ? 'yes' : 'no'}. ` +
      `Fault kinds enabled: ${s.faultKinds.join(', ') || 'none'}.`,
    ...(findings.length ? ['', '```', ...groupFindings(findings, 1, 1).map((l) => l.slice(0, 240)), '```'] : []),
    '',
  ].join('\n');
  writeFileSync(file, withMarker.replace(RUNS_MARKER, `${RUNS_MARKER}\n\n${table}`));
}
