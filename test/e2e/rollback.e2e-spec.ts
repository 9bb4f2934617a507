import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { SlackMessage } from '../fakes/slack';
import { clickIn, e2eProject, livePreview, type LivePreview } from './support/flows';
import { buttonsOf, dmOfBuild, readable, topLevel } from './support/slack-views';
import { startStack, type Stack } from './support/stack';
import { podImageIds, productionDeployment, runs } from './support/workloads';

/*
 * Issue 13, rollback: the production announcement carries Roll back (owners only, a confirm
 * dialog naming what production returns to); a click redeploys the previous release's digest
 * through the usual production request and rollout; GET /v1/projects/:project/releases lists
 * the releases; a click with nothing to roll back to, or on a release that no longer runs, is
 * refused with the reason. A release that leaves production says so everywhere, in place: its
 * status message, DMs and announcement (without Roll back) and GET /v1/builds/:id say "replaced"
 * or "rolled back", by which release.
 */
describe('rollback after two releases', () => {
  const project = e2eProject('rollback', 30, { approvals: { required: 0 } });
  const [owner, otherOwner] = project.owners;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [project] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const ship = async (image: string): Promise<LivePreview> => {
    const preview = await livePreview(stack, project, 'main', image);
    expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
    await stack.waitFor(
      `${image} is in production`,
      async () => (await stack.getBuild(preview.buildId)).body?.status === 'in-production',
      45_000,
    );
    return preview;
  };
  /** A production reply in the channel thread (an announcement once shipped) that says `needle`. */
  const announcement = (needle: string): Promise<SlackMessage> =>
    stack.waitFor(`a production reply in the channel says "${needle}"`, () =>
      stack.slack.messages(project.channel).find((m) => m.thread_ts && m.text.includes(needle)),
    );
  const rollBackFrom = (message: SlackMessage, buildId: string, user = otherOwner) =>
    stack.slackClick({ user, actionId: SlackActions.RollBack, buildId, channel: message.channel, messageTs: message.ts });
  const releases = async (): Promise<any[]> => {
    const res = await fetch(`${stack.gatewayUrl}/v1/projects/${project.id}/releases`, {
      headers: { Authorization: `Bearer ${stack.ciToken}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { releases: any[] }).releases;
  };
  /** A message as Slack shows it now (edits applied). */
  const now = (message: SlackMessage): SlackMessage =>
    stack.slack.messages(project.channel).find((m) => m.ts === message.ts && m.channel === message.channel)!;
  const statusOf = async (buildId: string) => (await stack.getBuild(buildId)).body;
  /** Waits until everything a person sees of a build that left production says `needle`: status message, announcement, owner DMs. */
  const everywhere = (what: string, buildId: string, announcementOf: SlackMessage, needle: string) =>
    stack.waitFor(`${what}: the status message, the announcement and the owners' DMs say "${needle}"`, () => {
      const status = topLevel(stack.slack, project.channel, needle);
      const dms = project.owners.map((o) => dmOfBuild(stack.slack, o, buildId));
      return (
        status.length === 1 &&
        readable(now(announcementOf)).includes(needle) &&
        dms.every((dm) => dm && readable(dm).includes(needle)) && { status: status[0], announcement: now(announcementOf) }
      );
    });
  const refusal = (user: string, needle: string) =>
    stack.waitFor(`${user} is told "${needle}"`, () => stack.slack.ephemerals(user).find((m) => m.text.includes(needle)));

  it('returns production to the previous release, says who did it and to what, and keeps the history', async () => {
    const first = await ship('registry.example.org/rollback:1');
    const firstPinned = `registry.example.org/rollback@${stack.kube.registry.digestOf('registry.example.org/rollback:1')}`;
    const firstAnnouncement = await announcement('Production release 1');
    expect(buttonsOf(firstAnnouncement)).toEqual([]); // nothing to roll back to yet
    expect((await rollBackFrom(firstAnnouncement, first.buildId)).status).toBe(200);
    await refusal(otherOwner, 'nothing to roll back to');

    const second = await ship('registry.example.org/rollback:2');
    const secondAnnouncement = await announcement('Production release 2');
    const button = (secondAnnouncement.blocks as any[]).find((b) => b.type === 'actions').elements[0];
    expect(button).toMatchObject({ action_id: SlackActions.RollBack, value: second.buildId });
    expect(button.confirm.text.text).toContain(firstPinned);
    expect(runs(productionDeployment(stack, project.id)).buildId).toBe(second.buildId);

    // The first release left production: every message of it says by which release, in place.
    const replaced = await everywhere('release 1 was replaced', first.buildId, firstAnnouncement, 'Replaced in production by release 2');
    expect(readable(replaced.status)).not.toContain('Deployed to production by');
    expect(await statusOf(first.buildId)).toMatchObject({
      status: 'replaced',
      release: 1,
      replacedBy: second.buildId,
      replacedByRelease: 2,
    });

    // Someone who is not an owner is refused, and nothing changes.
    const [qa] = project.qa!;
    expect((await rollBackFrom(secondAnnouncement, second.buildId, qa)).status).toBe(200);
    await refusal(qa, 'only the owners of Project rollback can roll production back');

    expect((await rollBackFrom(secondAnnouncement, second.buildId)).status).toBe(200);
    const rolledBack = await announcement(`rolled back to \`${firstPinned}\``);
    expect(rolledBack.text).toContain(`by <@${otherOwner}> (release 3)`);
    expect(rolledBack.text).toContain(`It replaces build \`${second.buildId}\``);
    const production = await stack.waitFor('production runs the first build again, its digest', () => {
      const deployment = productionDeployment(stack, project.id);
      return deployment?.status?.availableReplicas === 1 && runs(deployment).buildId === first.buildId && deployment;
    });
    expect(runs(production).image).toBe(firstPinned);
    expect(podImageIds(stack, production)).toEqual([firstPinned]);

    // The second release was rolled back: said in place, and its announcement no longer offers Roll back.
    const gone = await everywhere(
      'release 2 was rolled back',
      second.buildId,
      secondAnnouncement,
      `Rolled back by <@${otherOwner}> (was production release 2)`,
    );
    expect(buttonsOf(gone.announcement)).toEqual([]);
    expect(await statusOf(second.buildId)).toMatchObject({
      status: 'rolled-back',
      release: 2,
      replacedBy: first.buildId,
      replacedByRelease: 3,
    });
    expect(await statusOf(first.buildId)).toMatchObject({ status: 'in-production', release: 3, replacedBy: null });
    // …and the first build's messages say it runs in production again, as release 3.
    await stack.waitFor("the first build's status message says it is production release 3", () =>
      topLevel(stack.slack, project.channel, 'Deployed to production by').some((m) => readable(m).includes('(production release 3)')),
    );

    const history = await releases();
    expect(history.map((r) => [r.release, r.buildId, r.by, r.rollbackOf])).toEqual([
      [3, first.buildId, otherOwner, second.buildId],
      [2, second.buildId, owner, null],
      [1, first.buildId, owner, null],
    ]);
    expect(history[0].digest).toBe(stack.kube.registry.digestOf('registry.example.org/rollback:1'));

    // A click that was on its way (or from a stale client) on the second release is refused with the reason.
    expect((await rollBackFrom(secondAnnouncement, second.buildId, owner)).status).toBe(200);
    await refusal(owner, 'no longer what runs in production');
  }, 240_000);
});
