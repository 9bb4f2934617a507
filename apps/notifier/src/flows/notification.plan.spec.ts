import { describe, expect, it } from '@jest/globals';
import { buildEvents, deployed, snapshot } from '../../test/build-fixtures';
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

  it('on a QA approval edits that DM, tells every owner in their DM thread, and says when the build is ready', () => {
    const build = snapshot({ ...deployed(), verdicts: { U0QA00001: { verdict: 'approved', version: 4 } }, approved: true });
    const effects = planNotifications(e.qaApproved('U0QA00001', ['U0QA00001'], 4), build);
    expect(summary(effects)).toEqual([
      'edit qa:U0QA00001',
      'reply verdict:owner:U0OWNER01',
      'reply ready:owner:U0OWNER01',
      'edit owner:U0OWNER01',
      'show channel-status',
    ]);
    expect(effects[1]).toMatchObject({ under: 'owner:U0OWNER01', content: { text: expect.stringContaining('<@U0QA00001> approved this build') } });
    // BuildApproved may follow: the ready note is keyed per build so the owners read it once.
    expect(effects[2]).toMatchObject({ once: 'build' });
  });

  it('announces production in the channel thread, broadcast to the channel, and closes every DM', () => {
    const build = snapshot({ ...deployed(), production: { status: 'deployed', by: 'U0OWNER01', url: 'https://example.org', version: 7 } });
    const effects = planNotifications(e.productionDeployed('U0OWNER01', 7), build);
    expect(effects[0]).toMatchObject({
      kind: 'reply',
      under: 'channel-status',
      broadcast: true,
      content: { text: expect.stringContaining('deployed to production by <@U0OWNER01>: <https://example.org>') },
    });
    expect(summary(effects).slice(1)).toEqual(['show channel-status', 'edit owner:U0OWNER01', 'edit qa:U0QA00001', 'edit qa:U0QA00002']);
  });

  it('answers a refused click ephemerally where it was made', () => {
    expect(planDenial(e.denied('U0STRANGER', 'only the QA team of Testing One can approve builds', 'D0123'))).toEqual([
      expect.objectContaining({ kind: 'ephemeral', user: 'U0STRANGER', channel: 'D0123', content: { text: expect.stringContaining('only the QA team') } }),
    ]);
  });
});
