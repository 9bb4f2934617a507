import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { clickIn, e2eProject, livePreview, waitForRequestDms } from './support/flows';
import { buttonsOf, dmOfBuild, readable, topLevel } from './support/slack-views';
import { startStack, type Stack } from './support/stack';
import { podImageIds, previewDeployment, productionDeployment, runs } from './support/workloads';

/*
 * Issue "bound to bits, never stuck": production runs the digest QA saw, every attempt reaches
 * an end (a hung deployer included), a re-sent build after Close starts anew, and builds racing
 * for one preview end with the preview running the build whose DMs offer buttons.
 *
 * ROLLOUT_TIMEOUT_SECONDS=6 and DEADLINE_GRACE_SECONDS=2: approvals gives an attempt up 8 s
 * after asking for it.
 */
describe('production runs exactly what QA saw, and every attempt reaches an end', () => {
  const hung = e2eProject('hung', 20);
  const resend = e2eProject('resend', 21);
  const moved = e2eProject('moved', 22);
  const race = e2eProject('race', 23, { approvals: { required: 0 } });
  let stack: Stack;

  const _current = (user: string, ts: string) => stack.slack.messages(user).find((m) => m.ts === ts)!;

  beforeAll(async () => {
    stack = await startStack({ projects: [hung, resend, moved, race], env: { ROLLOUT_TIMEOUT_SECONDS: '6', DEADLINE_GRACE_SECONDS: '2' } });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('tells the owner when a hung deployer never answers a production deployment, and ships on the retry', async () => {
    const image = 'registry.example.org/hung:1';
    const preview = await livePreview(stack, hung, 'main', image);
    const [qa] = hung.qa!;
    const [owner] = hung.owners;
    expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId)).status).toBe(200);
    await stack.waitFor('the build is approved', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');

    stack.signal('deployer', 'SIGSTOP');
    const clickedAt = Date.now();
    expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
    const failed = await stack.waitFor(
      'approvals gives the production deployment up and says why',
      async () => {
        const view = (await stack.getBuild(preview.buildId)).body;
        return view?.status === 'production-failed' && view;
      },
      30_000,
    );
    const waited = Date.now() - clickedAt;
    expect(failed.failureReason).toMatch(/^no answer from the deployer within 8 s for the production deployment/);
    expect(waited).toBeLessThan(8_000 + 5_000);
    await stack.waitFor('the channel tells the failure', () =>
      stack.slack.messages(hung.channel).some((m) => /no answer from the deployer/.test(readable(m))),
    );

    stack.signal('deployer', 'SIGCONT');
    expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
    await stack.waitFor('the retry ships', async () => (await stack.getBuild(preview.buildId)).body?.status === 'in-production', 45_000);
    expect(runs(productionDeployment(stack, hung.id)).buildId).toBe(preview.buildId);
  }, 120_000);

  it('starts a new build, with a new preview and new DMs, when CI sends the same request after Close', async () => {
    const form = { project: resend.id, image: 'registry.example.org/resend:1', type: 'branch', target: 'feature/again' };
    const first = await livePreview(stack, resend, form.target, form.image);
    const [owner] = resend.owners;
    expect((await clickIn(stack, owner, first.ownerDms[owner], SlackActions.Close, first.buildId)).status).toBe(200);
    await stack.waitFor(
      'the build is closed and its preview removed',
      async () => (await stack.getBuild(first.buildId)).body?.status === 'closed' && !previewDeployment(stack, resend.id, form.target),
    );

    const again = await stack.ciBuildComplete(form);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.requestId); // the same request…
    const second = await stack.waitFor('…is a new build', async () => {
      const view = (await stack.getBuild(again.body.id)).body;
      return view?.id !== first.buildId && view;
    });
    await waitForRequestDms(stack, resend, second.id);
    expect(runs(previewDeployment(stack, resend.id, form.target))).toEqual({ image: form.image, buildId: second.id });
    for (const person of [...resend.owners, ...resend.qa!])
      expect(dmOfBuild(stack.slack, person, second.id)!.ts).not.toBe(dmOfBuild(stack.slack, person, first.buildId)!.ts);
  }, 120_000);

  it('deploys the digest QA saw to production after the tag moved to other bits', async () => {
    const image = 'registry.example.org/moved:main';
    const seen = stack.kube.registry.digestOf(image);
    const preview = await livePreview(stack, moved, 'main', image);
    const [qa] = moved.qa!;
    const [owner] = moved.owners;
    expect(podImageIds(stack, previewDeployment(stack, moved.id, 'main'))).toEqual([`registry.example.org/moved@${seen}`]);
    expect(readable(preview.qaDms[qa])).toContain(seen.slice(0, 'sha256:'.length + 12));

    expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId)).status).toBe(200);
    const other = stack.kube.registry.push(image); // CI pushed other bits under the same tag
    expect(other).not.toBe(seen);
    await stack.waitFor('the build is approved', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');
    expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
    await stack.waitFor(
      'the build is in production',
      async () => (await stack.getBuild(preview.buildId)).body?.status === 'in-production',
      45_000,
    );

    const production = productionDeployment(stack, moved.id);
    expect(runs(production).image).toBe(`registry.example.org/moved@${seen}`);
    expect(podImageIds(stack, production)).toEqual([`registry.example.org/moved@${seen}`]);
  }, 120_000);

  it('ends every race between two builds of one target with the preview running the build whose DMs offer buttons', async () => {
    const targets = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const requests = await Promise.all(
      targets.flatMap((target) =>
        ['a', 'b'].map(async (v) => {
          const image = `registry.example.org/race:${target}-${v}`;
          const answer = await stack.ciBuildComplete({ project: race.id, image, type: 'branch', target });
          return { target, image, requestId: answer.body.id as string };
        }),
      ),
    );
    const [owner] = race.owners;
    const ownerDmsOf = (target: string) => topLevel(stack.slack, owner).filter((m) => readable(m).includes(`race:${target}-`));
    /** What each side of a race shows, for the failure message: builds, owner DMs, the preview. */
    const raceState = async (target: string) => {
      const builds = await Promise.all(
        requests
          .filter((r) => r.target === target)
          .map(async (r) => {
            const view = (await stack.getBuild(r.requestId)).body;
            return `${r.image}: build ${view?.id} ${view?.status}${view?.failureReason ? ` (${view.failureReason})` : ''}`;
          }),
      );
      const dms = ownerDmsOf(target).map((m) => `DM ${m.ts} buttons [${buttonsOf(m).map((b) => b.value)}]: ${readable(m).slice(0, 160)}`);
      const deployment = previewDeployment(stack, race.id, target);
      const preview = deployment
        ? `preview runs ${JSON.stringify(runs(deployment))}, available ${deployment.status?.availableReplicas}`
        : 'no preview';
      return [...builds, ...dms, preview].join('\n');
    };
    for (const target of targets) {
      const winner = await stack
        .waitFor(
          `one build of ${target} has live buttons and its preview runs it`,
          () => {
            const live = ownerDmsOf(target).filter((m) => buttonsOf(m).length > 0);
            if (live.length !== 1) return undefined;
            const buildId = buttonsOf(live[0])[0].value;
            const deployment = previewDeployment(stack, race.id, target);
            return deployment?.status?.availableReplicas === 1 && runs(deployment).buildId === buildId && { buildId, deployment };
          },
          90_000,
        )
        .catch(async (error: Error) => {
          throw new Error(`${target} at the end of the wait:\n${await raceState(target)}\n${error.message}`);
        });
      const view = (await stack.getBuild(winner.buildId)).body;
      expect(runs(winner.deployment)).toEqual({ image: view.image, buildId: winner.buildId });
      expect(view.status).toBe('awaiting-qa');
    }
  }, 180_000);
});
