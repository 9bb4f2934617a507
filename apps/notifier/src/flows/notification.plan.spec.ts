import { describe, expect, it } from '@jest/globals';
import { buildEvents, deployed, event, deployedPinned, DIGEST, PINNED, snapshot } from '../../test/build-fixtures';
import type { NotificationEffect } from './notification-effects';
import { planDenial, planNotifications } from './notification.plan';

const e = buildEvents();
const summary = (effects: NotificationEffect[]) =>
  effects.map((f) => (f.kind === 'show' || f.kind === 'edit' ? `${f.kind} ${f.message}` : `${f.kind} ${f.key}`));

describe('what Slack should show after each event', () => {
  it('posts the channel status message when a build is registered', () => {
    expect(summary(planNotifications(e.registered(), snapshot()))).toEqual(['show channel-status']);
  });

  it('asks every owner and every QA member by DM once the preview is up', () => {
    expect(summary(planNotifications(e.previewDeployed(), snapshot(deployed())))).toEqual([
      'show channel-status',
      'show owner:U0OWNER01',
      'show qa:U0QA00001',
      'show qa:U0QA00002',
    ]);
  });

  it('asks nobody for QA when the preview failed', () => {
    const build = snapshot({ preview: { status: 'failed', reason: 'CrashLoopBackOff', version: 3 } });
    expect(summary(planNotifications(e.previewFailed('CrashLoopBackOff'), build))).toEqual(['show channel-status']);
  });

  it('on a QA approval edits that DM and tells every owner in their DM thread', () => {
    const build = snapshot({ ...deployed(), verdicts: { U0QA00001: { verdict: 'approved', version: 4 } } });
    const effects = planNotifications(e.qaApproved('U0QA00001', ['U0QA00001'], 4, 2), build);
    expect(summary(effects)).toEqual(['edit qa:U0QA00001', 'reply verdict:owner:U0OWNER01', 'edit owner:U0OWNER01', 'show channel-status']);
    expect(effects[1]).toMatchObject({
      under: 'owner:U0OWNER01',
      content: { text: expect.stringContaining('<@U0QA00001> approved this build') },
    });
  });

  it('says the verdict that meets the rule and that the build is ready in one reply, once per build', () => {
    const build = snapshot({ ...deployed(), verdicts: { U0QA00001: { verdict: 'approved', version: 4 } }, approved: true });
    const effects = planNotifications(e.qaApproved('U0QA00001', ['U0QA00001'], 4), build);
    expect(summary(effects)).toEqual(['edit qa:U0QA00001', 'reply ready:owner:U0OWNER01', 'edit owner:U0OWNER01', 'show channel-status']);
    expect(effects[1]).toMatchObject({
      under: 'owner:U0OWNER01',
      once: 'build', // BuildApproved follows: it finds the reply posted
      content: {
        text: expect.stringMatching(/<@U0QA00001> approved this build \(1 of 1 approval\)\n:rocket: This build is ready for production/),
      },
    });
    expect(summary(planNotifications(e.approved(['U0QA00001'], 5), build))).toContain('reply ready:owner:U0OWNER01');
  });

  it('follows a promotion in one channel reply: posted as deploying, edited in place to deployed', () => {
    const deploying = snapshot({ ...deployed(), production: { status: 'deploying', by: 'U0OWNER01', attempt: 1, version: 6 } });
    const [requested] = planNotifications(e.productionRequested('U0OWNER01', 6), deploying);
    expect(requested).toMatchObject({
      kind: 'show',
      message: 'production:1',
      under: 'channel-status',
      broadcast: true,
      content: { text: expect.stringContaining('deploying to production… (requested by <@U0OWNER01>)') },
    });
    const build = snapshot({
      ...deployed(),
      production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', attempt: 1, version: 7 },
    });
    const effects = planNotifications(e.productionDeployed('U0OWNER01', 7), build);
    expect(effects[0]).toMatchObject({
      kind: 'show',
      message: 'production:1',
      under: 'channel-status',
      content: { text: expect.stringContaining('deployed to production by <@U0OWNER01>: <https://example.org>') },
    });
    expect(summary(effects).slice(1)).toEqual(['show channel-status', 'edit owner:U0OWNER01', 'edit qa:U0QA00001', 'edit qa:U0QA00002']);
  });

  it('answers a refused click ephemerally where it was made', () => {
    expect(planDenial(e.denied('U0STRANGER', 'only the QA team of Testing One can approve builds', 'D0123'))).toEqual([
      expect.objectContaining({
        kind: 'ephemeral',
        user: 'U0STRANGER',
        channel: 'D0123',
        content: { text: expect.stringContaining('only the QA team') },
      }),
    ]);
  });

  it('shows the mentions a refusal lists, and only those', () => {
    const [effect] = planDenial(e.denied('U0OWNER02', 'this build was closed by @U0OWNER01 (ask @U0NOBODY)', 'D0123', ['U0OWNER01']));
    expect(effect).toMatchObject({
      kind: 'ephemeral',
      content: { text: ':no_entry_sign: this build was closed by <@U0OWNER01> (ask @U0NOBODY)' },
    });
  });

  it('says in the production announcement exactly what was shipped', () => {
    const production = {
      status: 'deployed',
      by: 'U0OWNER01',
      url: 'https://example.org',
      attempt: 1,
      image: PINNED,
      digest: DIGEST,
      version: 7,
    } as const;
    const [announcement] = planNotifications(e.productionDeployed('U0OWNER01', 7, DIGEST), snapshot({ ...deployedPinned(), production }));
    expect(announcement).toMatchObject({
      kind: 'show',
      message: 'production:1',
      under: 'channel-status',
      content: { text: `:rocket: Testing One deployed to production by <@U0OWNER01>: <https://example.org>\nShipped \`${PINNED}\`` },
    });
  });

  describe('a production deployment that timed out', () => {
    const reason = 'no answer from the deployer within 6 min';
    const build = snapshot({
      ...deployed(),
      production: { status: 'failed', by: 'U0OWNER01', attempt: 1, reason, cause: 'deadline', version: 6 },
    });
    const effects = planNotifications(e.productionFailed('U0OWNER01', reason, 6, 1, 'deadline'), build);

    it('is told in the channel thread, the status message and every owner DM, with a reply under it to try again', () => {
      expect(summary(effects)).toEqual([
        'show production:1',
        'show channel-status',
        'edit owner:U0OWNER01',
        'reply production-failed:owner:U0OWNER01',
      ]);
      expect(effects[0]).toMatchObject({
        broadcast: true,
        content: {
          text: ':x: production deployment timed out (attempt 1): no answer from the deployer within 6 min. The owners can try again from their DM.',
        },
      });
      expect(effects[3]).toMatchObject({
        under: 'owner:U0OWNER01',
        content: {
          text: ':x: Production deployment timed out (attempt 1): no answer from the deployer within 6 min. Click *Deploy to production* above to try again.',
        },
      });
    });
  });

  it('says a dead-lettered production deployment was given up', () => {
    const build = snapshot({
      ...deployed(),
      production: { status: 'failed', by: 'U0OWNER01', attempt: 2, reason: 'rejected by the deployer', cause: 'dead-letter', version: 8 },
    });
    const [note] = planNotifications(e.productionFailed('U0OWNER01', 'rejected by the deployer', 8, 2, 'dead-letter'), build);
    expect(note).toMatchObject({
      content: {
        text: ':x: production deployment was given up by the deployer (attempt 2): rejected by the deployer. The owners can try again from their DM.',
      },
    });
  });

  describe('removing the preview', () => {
    const shipped = { ...deployed(), production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 7 } } as const;

    it('edits the owner DMs when the removal is asked for and when it is done', () => {
      const requested = snapshot({ ...shipped, teardown: { status: 'requested', why: 'in-production', version: 8 } });
      expect(summary(planNotifications(e.teardownRequested('in-production', 8), requested))).toEqual(['edit owner:U0OWNER01']);
      const removed = snapshot({ ...shipped, teardown: { status: 'removed', why: 'in-production', version: 9 } });
      const [edit] = planNotifications(e.previewRemoved(9, 'in-production'), removed);
      expect(edit).toMatchObject({ kind: 'edit', content: { text: expect.stringContaining('(preview removed)') } });
    });

    it('tells the owners in their DM thread when it failed, and how to try again', () => {
      const failed = snapshot({
        ...shipped,
        teardown: { status: 'failed', why: 'in-production', reason: 'namespace stuck terminating', cause: 'deployer', version: 9 },
      });
      const effects = planNotifications(e.teardownFailed('namespace stuck terminating', 'deployer', 9), failed);
      expect(summary(effects)).toEqual(['edit owner:U0OWNER01', 'reply teardown:owner:U0OWNER01']);
      expect(effects[1]).toMatchObject({
        content: { text: ':warning: The preview could not be removed: namespace stuck terminating. Click *Close* above to try again.' },
      });
    });

    it('tells the channel thread when a build whose preview never came up could not have it removed', () => {
      const closed = snapshot({
        preview: { status: 'failed', reason: 'ImagePullBackOff', version: 3 },
        ending: { kind: 'closed', by: 'U0OWNER01' },
      });
      const effects = planNotifications(e.teardownFailed('gave up', 'dead-letter', 6), closed);
      expect(summary(effects)).toEqual(['reply teardown:channel-status']);
      expect(effects[0]).toMatchObject({ content: { text: ':warning: Removing the preview was given up by the deployer: gave up.' } });
    });
  });

  it('shows nothing for an outcome that came too late', () => {
    const late = event('LateOutcomeRecorded', { buildId: 'b-1', attemptId: 'b-1:production:1', outcome: 'succeeded' }, 9);
    expect(planNotifications(late, snapshot(deployed()))).toEqual([]);
  });
});
