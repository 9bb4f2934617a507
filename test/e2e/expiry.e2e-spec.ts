import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { SlackMessage } from '../fakes/slack';
import { clickIn, e2eProject, livePreview, waitForRequestDms } from './support/flows';
import { buttonsOf, readable, topLevel } from './support/slack-views';
import { startStack, type Stack } from './support/stack';
import { previewDeployment } from './support/workloads';

/*
 * Time limits end to end, with the hours of production shortened to seconds through the
 * projects file (never by sleeping through real hours): a preview that expires unless an owner
 * keeps it, a branch deleted in CI, QA reminders and an approval request that runs out.
 */
describe('deploybot when time runs out', () => {
  // Reminder 7 s before a 10 s expiry: the first reminder comes about 3 s after the preview is up.
  const keep = e2eProject('keep', 20, { previews: { ttl: '10s', remindBefore: '7s' } });
  const gone = e2eProject('gone', 21);
  const nudge = e2eProject('nudge', 22, { approvals: { required: 1, remindAfter: '3s', expireAfter: '10s' } });
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [keep, gone, nudge] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const current = (user: string, ts: string) => stack.slack.messages(user).find((m) => m.ts === ts)!;
  const repliesUnder = (user: string, parent: SlackMessage) => stack.slack.messages(user).filter((m) => m.thread_ts === parent.ts);

  it('reminds the owners before a preview expires; Keep extends it; unkept, it expires and is torn down', async () => {
    const [owner, other] = keep.owners;
    const preview = await livePreview(stack, keep, 'feature/keep', 'registry.example.org/keep:1');
    await stack.waitFor('the owner DM says when the preview expires', () =>
      readable(current(owner, preview.ownerDms[owner].ts)).includes('The preview expires'),
    );

    const reminder = await stack.waitFor('a reminder with Keep under the owner DM', () =>
      repliesUnder(owner, preview.ownerDms[owner]).find((m) => buttonsOf(m).some((b) => b.actionId === SlackActions.Keep)),
    );
    expect(readable(reminder)).toContain('will be torn down unless an owner keeps it');
    await stack.waitFor('the other owner is reminded too', () => repliesUnder(other, preview.ownerDms[other]).length > 0);

    expect((await clickIn(stack, owner, reminder, SlackActions.Keep, preview.buildId)).status).toBe(200);
    const kept = await stack.waitFor('the reminder says who kept it until when, without a button', () => {
      const m = current(owner, reminder.ts);
      return readable(m).includes(`Kept by @${owner} until`) && m;
    });
    expect(buttonsOf(kept)).toEqual([]);
    await stack.waitFor('the owner DMs say kept until', () =>
      keep.owners.every((o) => readable(current(o, preview.ownerDms[o].ts)).includes(`Kept by @${owner} until`)),
    );
    expect(previewDeployment(stack, keep.id, 'feature/keep')).toBeDefined();
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ keptBy: owner, previewExpiresAt: expect.any(String) });

    // Nobody keeps it a second time: a second reminder, then the expiry.
    await stack.waitFor(
      'a second reminder after the Keep',
      () => repliesUnder(owner, preview.ownerDms[owner]).filter((m) => m.ts !== reminder.ts && buttonsOf(m).length > 0).length === 1,
    );
    await stack.waitFor('the preview is torn down', () => previewDeployment(stack, keep.id, 'feature/keep') === undefined, 30_000);
    const status = await stack.waitFor('the channel status says expired', () => topLevel(stack.slack, keep.channel, 'Expired').at(0));
    expect(readable(status)).toContain('the preview reached its time limit');
    for (const person of [...keep.owners, ...keep.qa!]) {
      const dm = await stack.waitFor(`${person}'s DM says expired, without buttons`, () => {
        const m = current(person, (preview.ownerDms[person] ?? preview.qaDms[person]).ts);
        return readable(m).includes('Expired') && buttonsOf(m).length === 0 && m;
      });
      expect(readable(dm)).toContain('time limit');
    }
    await stack.waitFor('every reminder lost its Keep button', () =>
      keep.owners.every((o) => repliesUnder(o, preview.ownerDms[o]).every((m) => buttonsOf(m).length === 0)),
    );
    await stack.waitFor('the build reads expired', async () => (await stack.getBuild(preview.buildId)).body?.status === 'expired');
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ expiredBecause: 'preview-ttl', previewExpiresAt: null });
  }, 120_000);

  it('tears the preview of a deleted branch down and says so', async () => {
    const preview = await livePreview(stack, gone, 'feature/gone', 'registry.example.org/gone:1');
    const answer = await fetch(`${stack.gatewayUrl}/branch-deleted`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.ciToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: gone.id, target: 'feature/gone' }),
    });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ status: 'accepted' });

    await stack.waitFor('the preview is torn down', () => previewDeployment(stack, gone.id, 'feature/gone') === undefined);
    await stack.waitFor('the channel status says the branch was deleted', () =>
      topLevel(stack.slack, gone.channel).some((m) => readable(m).includes('Expired: the branch was deleted')),
    );
    const owner = gone.owners[0];
    await stack.waitFor('the owner DM has no buttons', () => buttonsOf(current(owner, preview.ownerDms[owner].ts)).length === 0);
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'expired', expiredBecause: 'branch-deleted' });

    const unknown = await fetch(`${stack.gatewayUrl}/branch-deleted`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.ciToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'nope', target: 'main' }),
    });
    expect(unknown.status).toBe(404);
  }, 90_000);

  it('nudges QA, then the owners; a build nobody decided on expires, and sending it again starts fresh', async () => {
    const image = 'registry.example.org/nudge:1';
    const preview = await livePreview(stack, nudge, 'release', image);
    for (const qa of nudge.qa!) {
      const nudged = await stack.waitFor(`${qa} is nudged in their DM thread`, () => repliesUnder(qa, preview.qaDms[qa]).at(0));
      expect(readable(nudged)).toContain('still waiting for your review');
    }
    const owner = nudge.owners[0];
    const told = await stack.waitFor('the owners are told who has not answered', () =>
      repliesUnder(owner, preview.ownerDms[owner]).find((m) => readable(m).includes('still waiting for QA')),
    );
    for (const qa of nudge.qa!) expect(told.text).toContain(`<@${qa}>`);

    await stack.waitFor('the build expires', async () => (await stack.getBuild(preview.buildId)).body?.status === 'expired', 30_000);
    for (const person of [...nudge.owners, ...nudge.qa!]) {
      await stack.waitFor(`${person}'s DM says nobody decided in time, without buttons`, () => {
        const m = current(person, (preview.ownerDms[person] ?? preview.qaDms[person]).ts);
        return readable(m).includes('nobody decided on this build in time') && buttonsOf(m).length === 0;
      });
    }
    await stack.waitFor('the owners are told in their thread', () =>
      repliesUnder(owner, preview.ownerDms[owner]).some((m) => m.text.includes('The preview is being torn down')),
    );
    await stack.waitFor('the preview is torn down', () => previewDeployment(stack, nudge.id, 'release') === undefined);

    // The same request: it named the expired build until approvals registers the new one.
    const sent = await stack.ciBuildComplete({ project: nudge.id, image, type: 'branch', target: 'release' });
    expect(sent.body.id).toBe(preview.requestId);
    const again = await stack.waitFor('the same request is a new build', async () => {
      const id = (await stack.getBuild(preview.requestId)).body?.id;
      return id !== preview.buildId && id;
    });
    await waitForRequestDms(stack, nudge, again);
  }, 120_000);
});
