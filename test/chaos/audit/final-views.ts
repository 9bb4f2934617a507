import { buttonsOf, readable } from '../../e2e/support/slack-views';
import { eventsOf, type BuildHistory } from './build-histories';
import { SHIPPED } from './end-states';
import type { Finding } from './findings';
import { slotOf, type TrackedPost } from './slack-effects';

/** What the build's messages must say once it ended, by the status the log gives it. */
const ENDING: Record<string, RegExp> = {
  'in-production': /Deployed to production by/,
  replaced: /Replaced in production by release/,
  'rolled-back': /Rolled back by/,
  closed: /Closed by/,
  superseded: /Superseded/,
  'preview-failed': /failed:|timed out:|given up by the deployer:/,
  'production-failed': /Production deployment (failed|timed out|was given up)/,
};
const ENDED_FOR_GOOD = [...SHIPPED, 'closed', 'superseded'];

/**
 * The owner can see how the build ended: the channel status message, and every DM, show the
 * end the log records (an edit that never came, or came out of order, leaves them behind), and
 * the buttons are gone from a build nobody can act on any more. Messages posted twice are left
 * to the doubled count (the older copy never gets the later edits).
 */
export function auditFinalViews(
  histories: ReadonlyMap<string, BuildHistory>,
  posts: readonly TrackedPost[],
  unreachable: ReadonlySet<string>,
): Finding[] {
  // A slot with two posts is reported as doubled (slack-effects.ts); only single posts are judged here.
  const bySlot = new Map<string, TrackedPost[]>();
  for (const post of posts) bySlot.set(slotOf(post), [...(bySlot.get(slotOf(post)) ?? []), post]);
  const first = new Map([...bySlot].filter(([, copies]) => copies.length === 1).map(([slot, [post]]) => [slot, post]));
  const findings: Finding[] = [];
  for (const h of histories.values()) {
    const pattern = ENDING[h.status];
    if (!pattern || unreachable.has(h.buildId)) continue;
    const stale = (kind: string, post: TrackedPost | undefined, problem: string) =>
      findings.push({
        category: 'lost',
        kind,
        buildId: h.buildId,
        project: h.project,
        what: `${kind} ${problem} although the log says ${h.status} (an edit was lost or applied out of order)`,
        evidence: post
          ? [
              `${post.message.channel} ts ${post.message.ts}, ${post.message.editCount} edits; now: ${readable(post.message).replace(/\s+/g, ' ').slice(0, 220)}`,
            ]
          : [],
      });
    const status = first.get(`${h.buildId}|post:channel-status`);
    if (status && !pattern.test(readable(status.message)))
      stale('status-message-edit', status, `does not show the end (${pattern.source})`);
    // Each production attempt's channel reply was edited to how that attempt ended.
    const requests = eventsOf(h, 'ProductionDeploymentRequested');
    for (const request of requests) {
      const attempt = request.data.attempt as number;
      const reply = first.get(`${h.buildId}|post:production:${attempt}`);
      const failed = eventsOf(h, 'ProductionDeploymentFailed').some((f) => f.data.attempt === attempt);
      const shipped = !failed && SHIPPED.includes(h.status) && request === requests.at(-1);
      const end = failed ? /production deployment (failed|timed out|was given up)/ : shipped ? /deployed to production by/ : undefined;
      if (reply && end && !end.test(readable(reply.message)))
        stale('production-reply-edit', reply, `of attempt ${attempt} does not show how it ended (${end.source})`);
    }
    if (!h.previewDeployed) continue;
    const teardownFailed = eventsOf(h, 'PreviewTeardownFailed').length > eventsOf(h, 'PreviewRemoved').length;
    const removed = eventsOf(h, 'PreviewRemoved').length > 0;
    for (const [role, people] of [
      ['owner', h.owners],
      ['qa', h.qa],
    ] as const) {
      for (const person of people) {
        const dm = first.get(`${h.buildId}|post:${role}:${person}`);
        if (!dm) continue;
        const text = readable(dm.message);
        if (ENDED_FOR_GOOD.includes(h.status) && !pattern.test(text))
          stale(`${role}-dm-edit`, dm, `does not show the end (${pattern.source})`);
        const buttons = buttonsOf(dm.message).map((b) => b.actionId);
        if (ENDED_FOR_GOOD.includes(h.status) && buttons.length && !(role === 'owner' && teardownFailed))
          stale(`${role}-dm-edit`, dm, `still has buttons (${buttons.join(', ')})`);
        if (h.status === 'production-failed' && role === 'owner' && !buttons.some((b) => b.endsWith('promote')))
          stale('owner-dm-edit', dm, 'has no Deploy to production button to try again');
        if (role === 'owner' && removed && !teardownFailed && !/Preview removed|preview removed/.test(text))
          stale('owner-dm-edit', dm, 'does not say the preview was removed');
      }
    }
  }
  return findings;
}
