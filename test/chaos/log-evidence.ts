import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './audit/findings';
import type { FlowRecord } from './flow-driver';
import type { ServiceLog } from './log-floods';

/** Every service process's log in `logDir` (`<process>.log`), as lines. */
export function readServiceLogs(logDir: string): ServiceLog[] {
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => ({ name: f.replace(/\.log$/, ''), lines: readFileSync(join(logDir, f), 'utf8').split('\n') }));
}

/** Findings about Slack are the notifier's; the others may involve any service. */
const SLACK_KINDS = /dm|reply|status-message|unreachable|untracked/;

/**
 * Adds to each finding about a build the service log lines that name it at warn level or
 * above (pino levels 40+; the notifier's only for Slack findings), and the driver's note when
 * it gave up on the flow: the evidence a reader starts from. At most 4 lines per finding.
 */
export function withLogEvidence(findings: readonly Finding[], logs: readonly ServiceLog[], flows: readonly FlowRecord[]): Finding[] {
  const gaveUp = new Map<string, string>();
  for (const flow of flows)
    for (const b of flow.builds) if (b.buildId && flow.gaveUp) gaveUp.set(b.buildId, `driver of ${flow.plan.id}: ${flow.gaveUp}`);
  return findings.map((f) => {
    if (!f.buildId) return f;
    const lines = logs
      .filter(({ name }) => !SLACK_KINDS.test(f.kind) || name.startsWith('notifier'))
      .flatMap(({ name, lines }) => lines.filter((l) => l.includes(f.buildId!) && /"level":(4|5|6)\d/.test(l)).map((l) => `${name}: ${l}`));
    const extra = [...(gaveUp.has(f.buildId) ? [gaveUp.get(f.buildId)!] : []), ...lines.slice(-3)];
    return extra.length ? { ...f, evidence: [...(f.evidence ?? []), ...extra] } : f;
  });
}
