import { describe, expect, it } from '@jest/globals';
import type { SlackMessage } from '../../fakes/slack';
import { audit } from './audit';
import type { Evidence, LoggedEvent } from './evidence';

/*
 * The audit over a hand-made log and Slack workspace: one build shipped (QA approved, owner
 * promoted), with the posts the notifier should have made, exactly once.
 */
const B = '11111111-1111-4111-8111-111111111111';
const OWNER = 'U0OW01001';
const QA = 'U0QA01001';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const PINNED = `registry.example.org/p/app@${DIGEST}`;

let position = 0;
const event = (type: string, data: Record<string, unknown> = {}): LoggedEvent => ({
  position: ++position,
  streamId: `build-${B}`,
  version: position,
  eventId: `e${position}`,
  type,
  data: { buildId: B, ...data },
  metadata: {},
});

const events: LoggedEvent[] = [
  event('BuildRegistered', {
    project: 'p',
    type: 'branch',
    target: 'main',
    image: 'registry.example.org/p/app:1',
    channel: 'C0P',
    owners: [OWNER],
    qa: [QA],
  }),
  event('PreviewDeploymentRequested'),
  event('PreviewDeployed', { digest: DIGEST, pinnedImage: PINNED }),
  event('QaApproved', { by: QA, approvals: [QA], required: 1 }),
  event('BuildApproved'),
  event('ProductionDeploymentRequested', { digest: DIGEST, image: PINNED, attempt: 1 }),
  event('ProductionDeployed', { digest: DIGEST }),
];

let ts = 0;
const post = (channel: string, effect: string, text: string, thread?: string): SlackMessage => ({
  channel,
  ts: `1700000000.${String(++ts).padStart(6, '0')}`,
  ...(thread ? { thread_ts: thread } : {}),
  text,
  blocks: [],
  user: 'UBOT',
  bot_id: 'BBOT',
  editCount: 0,
  history: [],
  postedAt: 0,
  metadata: { event_type: 'deploybot_effect', event_payload: { effect } },
});

const status = post('C0P', `build:${B}/post:channel-status`, 'P main: Deployed to production by <@U0OW01001>');
const ownerDm = post('D0OWNER', `build:${B}/post:owner:U0OW01001`, 'P main: Deployed to production by <@U0OW01001> (preview removed)');
const qaDm = post('D0QA', `build:${B}/post:qa:U0QA01001`, 'P main: Deployed to production by <@U0OW01001>');
const complete: SlackMessage[] = [
  status,
  ownerDm,
  qaDm,
  // the approval that met the rule: one reply that says it and that the build is ready
  post('D0OWNER', `build:${B}/ready:owner:U0OW01001`, 'approved (1 of 1)\nready for production', ownerDm.ts),
  // the promotion: one reply, posted as "deploying…" and edited to the announcement
  post('C0P', `build:${B}/post:production:1`, ':rocket: P deployed to production by <@U0OW01001>', status.ts),
];

const production = {
  kind: 'Deployment',
  metadata: { name: 'p', labels: { 'deploybot.dev/project': 'p', 'deploybot.dev/environment': 'production' }, generation: 1 },
  spec: {
    template: {
      metadata: { annotations: { 'deploybot.dev/build-id': B, 'deploybot.dev/request-id': `${B}:production:1` } },
      spec: { containers: [{ name: 'app', image: PINNED }] },
    },
  },
};
const pod = (digest: string) => ({
  kind: 'Pod',
  metadata: { annotations: { 'deploybot.dev/request-id': `${B}:production:1` } },
  status: { containerStatuses: [{ imageID: `registry.example.org/p/app@${digest}` }] },
});

const evidence = (over: Partial<Evidence> = {}): Evidence => ({
  events,
  requests: new Map([['r1', B]]),
  readModel: new Map([[B, 'in-production']]),
  openDeadlines: [],
  productionLocks: [],
  unreachableMessages: [],
  pendingEffects: [],
  deadLetters: [],
  slackMessages: complete,
  ephemerals: [],
  kubeObjects: [production, pod(DIGEST)],
  ...over,
});
const flows = [
  {
    plan: { id: 'f1', project: 'p', kind: 'ship' as const, type: 'branch' as const, target: 'main', images: [] },
    builds: [{ image: 'x', idempotencyKey: 'k', requestId: 'r1', buildId: B }],
    clicks: 0,
    ciCalls: 1,
    startedAt: 0,
  },
];

describe('the chaos audit', () => {
  it('finds nothing wrong with a shipped build whose every post is there once', () => {
    expect(audit(flows, evidence()).findings).toEqual([]);
  });

  it('counts a second status message (another event posted it) as doubled', () => {
    const twice = [...complete, post('C0P', 'e2/post:channel-status', 'P main: Deployed to production by <@U0OW01001>')];
    expect(audit(flows, evidence({ slackMessages: twice })).findings).toEqual([
      expect.objectContaining({ category: 'doubled', kind: 'status-message', what: expect.stringContaining('posted 2 times') }),
    ]);
  });

  it('counts a missing ready reply as lost and a status message left behind as a lost edit', () => {
    const stale = { ...status, text: 'P main: deploying…' };
    const without = complete.filter((m) => !m.text.startsWith('approved')).map((m) => (m === status ? stale : m));
    expect(
      audit(flows, evidence({ slackMessages: without }))
        .findings.map((f) => `${f.category} ${f.kind}`)
        .sort(),
    ).toEqual(['lost ready-reply', 'lost status-message-edit']);
  });

  it('counts a production reply that still says deploying as a lost edit, and a missing one as lost', () => {
    const deploying = complete.map((m) => (m.text.includes(':rocket:') ? { ...m, text: 'deploying to production…' } : m));
    expect(audit(flows, evidence({ slackMessages: deploying })).findings).toEqual([
      expect.objectContaining({ category: 'lost', kind: 'production-reply-edit' }),
    ]);
    const missing = complete.filter((m) => !m.text.includes(':rocket:'));
    expect(audit(flows, evidence({ slackMessages: missing })).findings).toEqual([
      expect.objectContaining({ category: 'lost', kind: 'production-reply' }),
    ]);
  });

  it('counts a build CI got a 202 for but nobody registered as lost, and a build left deploying as stuck', () => {
    const lostFlow = [{ ...flows[0], builds: [...flows[0].builds, { image: 'y', idempotencyKey: 'k2', requestId: 'r2' }] }];
    const deploying = events.slice(0, -1);
    const findings = audit(lostFlow, evidence({ events: deploying, readModel: new Map([[B, 'production-deploying']]) })).findings;
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'lost', kind: 'build' }),
        expect.objectContaining({ category: 'stuck', kind: 'build-not-ended' }),
      ]),
    );
  });

  it('counts production pods that run other bits than QA reviewed as a wrong digest', () => {
    const other = `sha256:${'b'.repeat(64)}`;
    expect(audit(flows, evidence({ kubeObjects: [production, pod(other)] })).findings).toEqual([
      expect.objectContaining({ category: 'wrong-digest', what: expect.stringContaining(`runs registry.example.org/p/app@${other}`) }),
    ]);
  });
});
