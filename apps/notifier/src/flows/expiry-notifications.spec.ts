import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { deployed, event, snapshot } from '../../test/build-fixtures';
import { evolve } from '../builds/build-progress.evolve';
import type { BuildSnapshot } from '../builds/build-snapshot';
import type { ActionsBlock, OutgoingMessage } from '../messages/block-kit';
import type { NotificationEffect } from './notification-effects';
import { planNotifications } from './notification.plan';

const OWNER = 'U0OWNER01';
const EXPIRES = '2026-12-10T12:00:00.000Z';
const KEPT_UNTIL = '2026-12-13T11:00:00.000Z';
const summary = (effects: NotificationEffect[]) =>
  effects.map((f) => (f.kind === 'show' || f.kind === 'edit' ? `${f.kind} ${f.message}` : `${f.kind} ${f.key}`));
const contentOf = (effect: NotificationEffect): OutgoingMessage => (effect.kind === 'ephemeral' ? effect.content : effect.content);
const buttons = (message: OutgoingMessage) =>
  (message.blocks ?? []).filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements.map((e) => e.action_id));
const allText = (message: OutgoingMessage) => JSON.stringify(message.blocks ?? []) + message.text;

/** The snapshot after `events`, from a live preview. */
const following = (...events: Parameters<typeof evolve>[1][]): BuildSnapshot =>
  snapshot(events.reduce(evolve, snapshot(deployed()).progress));

const scheduled = event('TimerScheduled', { buildId: 'b-1', timerId: 'b-1:preview-expiry:1', kind: 'preview-expiry', dueAt: EXPIRES }, 5);
const reminded = event('PreviewExpiryReminded', { buildId: 'b-1', expiresAt: EXPIRES }, 6);
const kept = event('PreviewKept', { buildId: 'b-1', by: OWNER, until: KEPT_UNTIL }, 7);
const expiredEvent = (why: 'preview-ttl' | 'approval-ttl' | 'branch-deleted', version = 8) =>
  event('BuildExpired', { buildId: 'b-1', why, project: 'test1', type: 'branch', target: 'staging' }, version);

describe('preview expiry in Slack', () => {
  it('shows when the preview expires on the owner DM and the channel status once it is scheduled', () => {
    const build = following(scheduled);
    const effects = planNotifications(scheduled, build);
    expect(summary(effects)).toEqual(['edit owner:U0OWNER01', 'show channel-status']);
    for (const effect of effects) expect(allText(contentOf(effect))).toContain(`The preview expires <!date^${Date.parse(EXPIRES) / 1000}^`);
  });

  it('shows nothing for the other timers (reminders come as their own events)', () => {
    const qa = event('TimerScheduled', { buildId: 'b-1', timerId: 'b-1:qa-reminder:1', kind: 'qa-reminder', dueAt: EXPIRES }, 5);
    expect(planNotifications(qa, following(qa))).toEqual([]);
  });

  it('reminds every owner in their DM thread, with a Keep button, as a reply it can edit later', () => {
    const build = following(scheduled, reminded);
    const [reminder] = planNotifications(reminded, build);
    expect(reminder).toMatchObject({ kind: 'show', message: `expiry-reminder:${OWNER}:${EXPIRES}`, to: OWNER, under: `owner:${OWNER}` });
    expect(buttons(contentOf(reminder))).toEqual([SlackActions.Keep]);
    expect(contentOf(reminder).text).toContain('will be torn down unless an owner keeps it');
  });

  it('on Keep edits the reminder to say who kept it until when (no button) and the DM to the new time', () => {
    const build = following(scheduled, reminded, kept);
    const effects = planNotifications(kept, build);
    expect(summary(effects)).toEqual(['edit owner:U0OWNER01', `edit expiry-reminder:${OWNER}:${EXPIRES}`, 'show channel-status']);
    const reminder = contentOf(effects[1]);
    expect(buttons(reminder)).toEqual([]);
    expect(allText(reminder)).toContain(`Kept by <@${OWNER}> until <!date^${Date.parse(KEPT_UNTIL) / 1000}^`);
    expect(allText(contentOf(effects[0]))).toContain(`Kept by <@${OWNER}> until`);
  });

  it('at expiry says "expired" on the status, the DMs and the reminder, and tells the owners in their thread', () => {
    const expired = expiredEvent('preview-ttl');
    const build = following(scheduled, reminded, expired);
    const effects = planNotifications(expired, build);
    expect(summary(effects)).toEqual([
      'show channel-status',
      'edit owner:U0OWNER01',
      'edit qa:U0QA00001',
      'edit qa:U0QA00002',
      `edit expiry-reminder:${OWNER}:${EXPIRES}`,
      'reply expired:owner:U0OWNER01',
    ]);
    for (const effect of effects.slice(0, 5)) {
      expect(allText(contentOf(effect))).toContain('Expired: the preview reached its time limit');
      expect(buttons(contentOf(effect))).toEqual([]);
    }
    expect(contentOf(effects[5]).text).toContain('The preview is being torn down');
  });

  it('says a deleted branch expired the build, and replies under no DM that was never posted', () => {
    const expired = expiredEvent('branch-deleted', 3);
    const build = snapshot([expired].reduce(evolve, snapshot().progress));
    expect(summary(planNotifications(expired, build))).toEqual([
      'show channel-status',
      'edit owner:U0OWNER01',
      'edit qa:U0QA00001',
      'edit qa:U0QA00002',
    ]);
    expect(contentOf(planNotifications(expired, build)[0]).text).toContain('Expired: the branch was deleted');
  });
});

describe('the expiry in the notifier view of a build', () => {
  const later = '2026-12-13T12:00:00.000Z';
  const reminderOf = (expiresAt: string, version: number) => event('PreviewExpiryReminded', { buildId: 'b-1', expiresAt }, version);

  it('is not rolled back by an older event redelivered after a newer one', () => {
    const keptThenRescheduled = [scheduled, kept].reduce(evolve, snapshot(deployed()).progress);
    expect(evolve(keptThenRescheduled, scheduled).previewExpiry).toMatchObject({ expiresAt: KEPT_UNTIL, keptBy: OWNER });

    const remindedTwice = [reminderOf(EXPIRES, 6), reminderOf(later, 9)].reduce(evolve, snapshot(deployed()).progress);
    expect(evolve(remindedTwice, reminderOf(EXPIRES, 6)).previewExpiry?.remindedFor).toBe(later);
  });

  it('keeps the first ending, and shows no expiry line once the build ended', () => {
    const build = following(
      scheduled,
      expiredEvent('preview-ttl'),
      event('BuildClosed', { buildId: 'b-1', by: OWNER, project: 'test1', type: 'branch', target: 'staging' }, 9),
    );
    expect(build.progress.ending).toEqual({ kind: 'expired', why: 'preview-ttl' });
    expect(allText(contentOf(planNotifications(scheduled, build)[0]))).not.toContain('The preview expires');
  });
});

describe('approval reminders in Slack', () => {
  it('nudges each QA member who has not answered in their DM thread', () => {
    const reminder = event('ApprovalReminded', { buildId: 'b-1', audience: 'qa', waitingFor: ['U0QA00002'] }, 6);
    const effects = planNotifications(reminder, following(reminder));
    expect(summary(effects)).toEqual(['reply reminder:qa:U0QA00002']);
    expect(contentOf(effects[0]).text).toContain('still waiting for your review');
  });

  it('then tells the owners who has not answered', () => {
    const reminder = event('ApprovalReminded', { buildId: 'b-1', audience: 'owners', waitingFor: ['U0QA00001', 'U0QA00002'] }, 7);
    const effects = planNotifications(reminder, following(reminder));
    expect(summary(effects)).toEqual(['reply reminder:owner:U0OWNER01']);
    expect(contentOf(effects[0]).text).toBe(
      ':alarm_clock: This build is still waiting for QA: <@U0QA00001>, <@U0QA00002> have not answered.',
    );
  });

  it('says an approval that ran out expired, and that CI can send the build again', () => {
    const expired = expiredEvent('approval-ttl');
    const effects = planNotifications(expired, following(expired));
    expect(contentOf(effects[1]).text).toContain('nobody decided on this build in time. Send it again from CI to start over');
    expect(buttons(contentOf(effects[1]))).toEqual([]);
  });
});
