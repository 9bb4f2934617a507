import type { FlowRecord } from '../flow-driver';
import { buildHistories, buildOfEvent, type BuildHistory } from './build-histories';
import { auditDigests } from './digests';
import { auditEndStates } from './end-states';
import type { Evidence } from './evidence';
import { auditFinalViews } from './final-views';
import type { Finding } from './findings';
import { auditSlackEffects, trackedPosts } from './slack-effects';

/** The verdict of a run: findings, and what the log and the fakes hold, for the report. */
export interface AuditResult {
  findings: Finding[];
  histories: Map<string, BuildHistory>;
  /** Builds per status the log ends with. */
  statuses: Record<string, number>;
  posts: number;
  deadLetters: Evidence['deadLetters'];
  pendingEffects: Evidence['pendingEffects'];
  deniedClicks: number;
  ephemerals: number;
}

/** Judges a settled run from the event log, the notifier's ledger and what the fakes received (pure). */
export function audit(flows: readonly FlowRecord[], evidence: Evidence): AuditResult {
  const histories = buildHistories(evidence.events);
  const { posts, untracked } = trackedPosts(evidence.slackMessages, buildOfEvent(evidence.events));
  const unreachable = new Set(evidence.unreachableMessages.map((m) => m.buildId));
  const findings = [
    ...auditEndStates(flows, histories, evidence),
    ...auditSlackEffects(histories, posts, untracked, unreachable, new Map(evidence.events.map((e) => [e.eventId, e.type]))),
    ...auditFinalViews(histories, posts, unreachable),
    ...auditDigests(histories, evidence.kubeObjects),
    ...evidence.unreachableMessages.map(
      (m): Finding => ({
        category: 'lost',
        kind: 'unreachable',
        buildId: m.buildId,
        what: `the notifier gave up on ${m.key} for good: ${m.problem ?? '?'}`,
      }),
    ),
  ];
  const statuses: Record<string, number> = {};
  for (const h of histories.values()) statuses[h.status] = (statuses[h.status] ?? 0) + 1;
  return {
    findings,
    histories,
    statuses,
    posts: posts.length,
    deadLetters: evidence.deadLetters,
    pendingEffects: evidence.pendingEffects,
    deniedClicks: evidence.events.filter((e) => e.type === 'ActionDenied').length,
    ephemerals: evidence.ephemerals.length,
  };
}
