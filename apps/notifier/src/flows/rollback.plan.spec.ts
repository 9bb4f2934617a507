import { describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { BuildEvent } from '@app/contracts';
import { DIGEST, deployedPinned, event, PINNED, snapshot } from '../../test/build-fixtures';
import { evolve } from '../builds/build-progress.evolve';
import type { BuildSnapshot } from '../builds/build-snapshot';
import type { ActionsBlock } from '../messages/block-kit';
import type { NotificationEffect } from './notification-effects';
import { planNotifications } from './notification.plan';

const OWNER = 'U0OWNER01';
const OTHER_PINNED = `registry.example.org/shop@sha256:${'b'.repeat(64)}`;
const previous = { buildId: 'b-0', image: OTHER_PINNED, release: 1 };

const requested = (attempt: number, version: number, rollbackOf?: string) =>
  event(
    'ProductionDeploymentRequested',
    {
      buildId: 'b-1',
      project: 'test1',
      image: PINNED,
      digest: DIGEST,
      url: 'https://example.org',
      by: OWNER,
      attempt,
      ...(rollbackOf ? { rollbackOf } : {}),
    },
    version,
  );
const shipped = (version: number, extra: { release?: number; rollbackOf?: string; previous?: typeof previous }) =>
  event('ProductionDeployed', { buildId: 'b-1', url: 'https://example.org', by: OWNER, digest: DIGEST, ...extra }, version);

/** Folds `events` into the snapshot, then plans the last one (as the notifier does). */
const planAfter = (...events: BuildEvent[]): { build: BuildSnapshot; effects: NotificationEffect[] } => {
  const start = snapshot(deployedPinned());
  const progress = events.reduce(evolve, start.progress);
  const build = { ...start, progress };
  return { build, effects: planNotifications(events[events.length - 1], build) };
};
const rollbackButton = (content: { blocks?: unknown[] }) =>
  ((content.blocks ?? []).find((b) => (b as ActionsBlock).type === 'actions') as ActionsBlock).elements[0];
const production = (effects: NotificationEffect[], attempt: number) =>
  effects.find((f) => f.kind === 'show' && f.message === `production:${attempt}`) as Extract<NotificationEffect, { kind: 'show' }>;

describe('the production announcement and Roll back', () => {
  it('announces a release with its number and Roll back to the release before it, behind a dialog naming that image', () => {
    const { effects } = planAfter(requested(1, 5), shipped(6, { release: 2, previous }));
    const announcement = production(effects, 1).content;
    expect(announcement.text).toContain('deployed to production by <@U0OWNER01>');
    expect(announcement.text).toContain('Production release 2');
    const button = rollbackButton(announcement);
    expect(button).toMatchObject({ action_id: SlackActions.RollBack, value: 'b-1', style: 'danger' });
    expect(button.confirm?.text.text).toContain(OTHER_PINNED);
    expect(button.confirm?.text.text).toContain('release 1');
    expect(button.confirm?.text.text.length).toBeLessThanOrEqual(300);
  });

  it('keeps the dialog within 300 characters however long the image', () => {
    const long = { ...previous, image: `registry.example.org/${'x'.repeat(400)}@${DIGEST}` };
    const { effects } = planAfter(requested(1, 5), shipped(6, { release: 2, previous: long }));
    const button = rollbackButton(production(effects, 1).content);
    expect(button.confirm?.text.text.length).toBeLessThanOrEqual(300);
  });

  it('offers no Roll back on the first release: there is nothing to return to', () => {
    const { effects } = planAfter(requested(1, 5), shipped(6, { release: 1 }));
    expect(production(effects, 1).content.blocks).toBeUndefined();
  });

  it('says a rollback is running, then who rolled back to what, in a new reply of the build it returned to', () => {
    const first = shipped(6, { release: 1 });
    const rolling = planAfter(requested(1, 5), first, requested(2, 8, 'b-2'));
    expect(production(rolling.effects, 2).content.text).toBe(
      `:rewind: rolling production back to \`${PINNED}\`… (requested by <@U0OWNER01>)`,
    );
    const done = planAfter(
      requested(1, 5),
      first,
      requested(2, 8, 'b-2'),
      shipped(9, { release: 3, rollbackOf: 'b-2', previous: { ...previous, buildId: 'b-2', release: 2 } }),
    );
    const announcement = production(done.effects, 2).content;
    expect(announcement.text).toContain(`rolled back to \`${PINNED}\` by <@U0OWNER01> (release 3)`);
    expect(announcement.text).toContain('It replaces build `b-2`');
    expect(announcement.blocks?.some((b) => b.type === 'actions')).toBe(true);
  });

  it('a failed rollback is told in the thread only, and the build stays shipped (no Deploy to production back in the owner DMs)', () => {
    const failed = event(
      'ProductionDeploymentFailed',
      { buildId: 'b-1', reason: 'ImagePullBackOff', by: OWNER, attempt: 2, rollbackOf: 'b-2' },
      9,
    );
    const { build, effects } = planAfter(requested(1, 5), shipped(6, { release: 1 }), requested(2, 8, 'b-2'), failed);
    expect(effects.map((f) => (f.kind === 'reply' ? f.key : f.kind === 'show' || f.kind === 'edit' ? f.message : f.kind))).toEqual([
      'production:2',
      'channel-status',
    ]);
    expect(production(effects, 2).content.text).toContain('rollback failed (attempt 2)');
    expect(build.progress.production).toMatchObject({ status: 'deployed', release: 1 });
  });
});

describe('a release that leaves production', () => {
  const OWNER2 = 'U0OWNER02';
  const replaced = (version: number, rolledBack: boolean, release = 3) =>
    event('ProductionReplaced', { buildId: 'b-1', replacedBy: 'b-2', release, by: OWNER2, rolledBack }, version);
  const edited = (effects: NotificationEffect[], message: string) =>
    effects.find((f) => f.kind === 'edit' && f.message === message) as Extract<NotificationEffect, { kind: 'edit' }>;
  const status = (effects: NotificationEffect[]) =>
    effects.find((f) => f.kind === 'show' && f.message === 'channel-status') as Extract<NotificationEffect, { kind: 'show' }>;

  it('edits the announcement in place: it says which release replaced it, and Roll back is gone', () => {
    const { effects } = planAfter(requested(1, 5), shipped(6, { release: 2, previous }), replaced(9, false));
    const announcement = edited(effects, 'production:1').content;
    expect(announcement.text).toContain('Production release 2');
    expect(announcement.text).toContain('Replaced in production by release 3 (build `b-2`, shipped by <@U0OWNER02>)');
    expect(announcement.blocks).toBeUndefined();
  });

  it('says the build was rolled back, by whom, and what production runs again — in the status message and every DM', () => {
    const { effects } = planAfter(requested(1, 5), shipped(6, { release: 2, previous }), replaced(9, true));
    const line = 'Rolled back by <@U0OWNER02> (was production release 2): production runs build `b-2` again, as release 3';
    expect(status(effects).content.text).toContain('Rolled back by <@U0OWNER02> (was production release 2)');
    expect(JSON.stringify(status(effects).content.blocks)).toContain(JSON.stringify(line).slice(1, -1));
    expect(edited(effects, 'production:1').content.text).toContain(line);
    const dms = effects.filter((f) => f.kind === 'edit' && /^(owner|qa):/.test(f.message));
    expect(dms.length).toBeGreaterThan(0);
    for (const dm of dms) expect(JSON.stringify(dm.content)).toContain('Rolled back by');
    expect(JSON.stringify(status(effects).content)).not.toContain('Deployed to production by');
  });

  it('runs in production again after a rollback to it: the mark is gone and the new announcement has Roll back', () => {
    const { build, effects } = planAfter(
      requested(1, 5),
      shipped(6, { release: 2, previous }),
      replaced(9, false),
      requested(2, 10, 'b-2'),
      shipped(11, { release: 4, rollbackOf: 'b-2', previous: { ...previous, buildId: 'b-2', release: 3 } }),
    );
    expect(build.progress.production).not.toHaveProperty('replacedBy');
    expect(production(effects, 2).content.blocks?.some((b) => b.type === 'actions')).toBe(true);
    expect(status(effects).content.text).toContain('Deployed to production by <@U0OWNER01>: <https://example.org> (production release 4)');
  });

  it('a redelivered older event does not bring "in production" back', () => {
    const { build } = planAfter(requested(1, 5), replaced(9, false), shipped(6, { release: 2, previous }));
    expect(build.progress.production).toMatchObject({ status: 'deployed', version: 6 });
    const after = [requested(1, 5), shipped(6, { release: 2, previous }), replaced(9, false), shipped(6, { release: 2, previous })].reduce(
      evolve,
      snapshot(deployedPinned()).progress,
    );
    expect(after.production).toMatchObject({ replacedBy: { buildId: 'b-2', release: 3 } });
  });
});
