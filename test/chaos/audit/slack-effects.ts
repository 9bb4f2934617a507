import type { SlackMessage } from '../../fakes/slack';
import { eventsOf, type BuildHistory } from './build-histories';
import type { LoggedEvent } from './evidence';
import type { Finding } from './findings';

/** A post deploybot made, as the fake stored it, with the ledger effect its metadata names. */
export interface TrackedPost {
  message: SlackMessage;
  scope: string;
  key: string;
  buildId?: string;
}

/** The effect every post carries in its metadata (`deploybot_effect`: `<scope>/<key>`), and the build it is about. */
export function trackedPosts(
  messages: readonly SlackMessage[],
  buildOfEvent: ReadonlyMap<string, string>,
): { posts: TrackedPost[]; untracked: SlackMessage[] } {
  const posts: TrackedPost[] = [];
  const untracked: SlackMessage[] = [];
  for (const message of messages) {
    const effect = message.metadata?.event_type === 'deploybot_effect' ? String(message.metadata.event_payload?.effect ?? '') : '';
    const slash = effect.indexOf('/');
    if (slash < 0) {
      untracked.push(message);
      continue;
    }
    const scope = effect.slice(0, slash);
    const key = effect.slice(slash + 1);
    const buildId = scope.startsWith('build:') ? scope.slice('build:'.length) : buildOfEvent.get(scope);
    posts.push({ message, scope, key, buildId });
  }
  return { posts, untracked };
}

/**
 * The slot a post fills: a tracked message (`post:…`) and a once-per-build reply once per build
 * whatever event asked for it; any other reply once per event. Two posts in one slot are a double.
 */
export const slotOf = (p: { buildId?: string; scope: string; key: string }): string =>
  p.key.startsWith('post:') || p.scope.startsWith('build:') ? `${p.buildId}|${p.key}` : `${p.buildId}|${p.scope}/${p.key}`;

/** The posts the log says a build must have, one per slot (edits are checked by final-views.ts). */
export function expectedSlots(h: BuildHistory): string[] {
  const b = h.buildId;
  const slots = [`${b}|post:channel-status`];
  if (h.previewDeployed) slots.push(...h.owners.map((o) => `${b}|post:owner:${o}`), ...h.qa.map((q) => `${b}|post:qa:${q}`));
  // A verdict reply per verdict, except the approval that meets the rule: its reply is the "ready" one.
  const meetsRule = (e: LoggedEvent) => e.type === 'QaApproved' && e.data.approvals.length >= e.data.required;
  for (const e of [...eventsOf(h, 'QaApproved'), ...eventsOf(h, 'QaRejected')].filter((e) => !meetsRule(e)))
    slots.push(...h.owners.map((o) => `${b}|${e.eventId}/verdict:owner:${o}`));
  const reached = eventsOf(h, 'BuildApproved').length > 0 || eventsOf(h, 'QaApproved').some(meetsRule);
  if (reached) slots.push(...h.owners.map((o) => `${b}|ready:owner:${o}`));
  // One channel reply per production attempt, edited from "deploying…" to how it ended.
  for (const e of eventsOf(h, 'ProductionDeploymentRequested')) slots.push(`${b}|post:production:${e.data.attempt}`);
  for (const e of eventsOf(h, 'ProductionDeploymentFailed'))
    slots.push(...h.owners.map((o) => `${b}|${e.eventId}/production-failed:owner:${o}`));
  for (const e of eventsOf(h, 'PreviewTeardownFailed')) {
    slots.push(
      ...(h.previewDeployed ? h.owners.map((o) => `${b}|${e.eventId}/teardown:owner:${o}`) : [`${b}|${e.eventId}/teardown:channel-status`]),
    );
  }
  return slots;
}

/** What a slot is, for grouping findings: `status-message`, `owner-dm`, `verdict-reply`… */
export function slotKind(slot: string): string {
  const key = slot.split('|')[1].split('/').at(-1)!;
  if (key === 'post:channel-status') return 'status-message';
  if (key.startsWith('post:owner:')) return 'owner-dm';
  if (key.startsWith('post:qa:')) return 'qa-dm';
  if (key.startsWith('post:production:')) return 'production-reply';
  return `${key.split(':')[0]}-reply`;
}

/**
 * Exactly once: every expected slot holds one post (none: lost; more: doubled), and no slot
 * holds two. Builds whose messages the ledger marked unreachable are left out (Slack refused them for good).
 */
export function auditSlackEffects(
  histories: ReadonlyMap<string, BuildHistory>,
  posts: readonly TrackedPost[],
  untracked: readonly SlackMessage[],
  unreachable: ReadonlySet<string>,
  eventTypes: ReadonlyMap<string, string> = new Map(),
): Finding[] {
  const bySlot = new Map<string, TrackedPost[]>();
  for (const post of posts) bySlot.set(slotOf(post), [...(bySlot.get(slotOf(post)) ?? []), post]);
  const findings: Finding[] = [];
  const where = (p: TrackedPost) =>
    `${p.message.channel} ts ${p.message.ts}${p.message.thread_ts ? ` (thread ${p.message.thread_ts})` : ''}: ${p.message.text.slice(0, 120)}`;
  const expected = new Set<string>();
  for (const h of histories.values()) {
    if (unreachable.has(h.buildId)) continue;
    for (const slot of expectedSlots(h)) {
      expected.add(slot);
      if (!bySlot.has(slot))
        findings.push({
          category: 'lost',
          kind: slotKind(slot),
          buildId: h.buildId,
          project: h.project,
          what: `no ${slotKind(slot)} (${slot.split('|')[1]}) although the log has the event for it`,
        });
    }
  }
  for (const [slot, copies] of bySlot) {
    if (copies.length < 2) continue;
    const h = histories.get(copies[0].buildId ?? '');
    findings.push({
      category: 'doubled',
      kind: slotKind(slot),
      buildId: copies[0].buildId,
      project: h?.project,
      what: `${slotKind(slot)} posted ${copies.length} times (${slot.split('|')[1]}; for ${copies.map((c) => `${eventTypes.get(c.scope) ?? 'build'} ${c.scope.slice(0, 8)}`).join(', ')})`,
      evidence: copies.map(where),
    });
  }
  for (const message of untracked) {
    findings.push({
      category: 'doubled',
      kind: 'untracked-post',
      what: `a post without deploybot's effect metadata in ${message.channel}`,
      evidence: [`ts ${message.ts}: ${message.text.slice(0, 160)}`],
    });
  }
  return findings;
}
