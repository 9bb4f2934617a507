import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { clickIn, e2eProject, livePreview, reportBuild, waitForRequestDms } from './support/flows';
import { buttonsOf, readable, topLevel } from './support/slack-views';
import { previewDeployment } from './support/workloads';
import { startStack, type Stack } from './support/stack';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/*
 * What goes wrong, end to end: each test has a project (channel, people, Kubernetes names) of its
 * own on one shared stack.
 */
describe('deploybot when things go wrong', () => {
  const pull = e2eProject('pull', 2);
  const retry = e2eProject('retry', 3);
  const close = e2eProject('close', 4);
  const supersede = e2eProject('supersede', 5);
  const denied = e2eProject('denied', 6);
  const forged = e2eProject('forged', 7);
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [pull, retry, close, supersede, denied, forged] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** The current version of a message the bot sent earlier. */
  const current = (user: string, ts: string) => stack.slack.messages(user).find((m) => m.ts === ts)!;

  it('reports an image that cannot be pulled in the channel, with the reason, and asks nobody for QA', async () => {
    const image = 'registry.example.org/pull:does-not-exist';
    const { buildId } = await reportBuild(stack, { project: pull.id, image, type: 'branch', target: 'broken' });

    const status = await stack.waitFor('the channel status says the preview failed', () =>
      topLevel(stack.slack, pull.channel).find((m) => readable(m).includes('failed:')),
    );
    expect(readable(status)).toContain('ImagePullBackOff');
    expect(readable(status)).toContain(image);
    const build = await stack.getBuild(buildId);
    expect(build.body).toMatchObject({ status: 'preview-failed' });
    expect(build.body.failureReason).toContain('ImagePullBackOff');
    for (const person of [...pull.qa!, ...pull.owners]) expect(stack.slack.messages(person)).toEqual([]);
    expect(topLevel(stack.slack, pull.channel)).toHaveLength(1);
  }, 90_000);

  it('reports a failed production deployment and ships on the retry once the cause is fixed', async () => {
    const image = 'registry.example.org/retry:2.0.0';
    const [owner1, owner2] = retry.owners;
    const preview = await livePreview(stack, retry, 'release', image);
    expect((await clickIn(stack, retry.qa![0], preview.qaDms[retry.qa![0]], SlackActions.Approve, preview.buildId)).status).toBe(200);
    await stack.waitFor('the build is approved', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');

    // The production pull fails (e.g. the registry lost the image); the preview keeps running.
    // Production pulls the digest the preview ran (registry.example.org/retry@sha256:…), so match the repository.
    const anyReference = /^registry\.example\.org\/retry[:@]/;
    stack.kube.setImageBehavior(anyReference, 'pull-backoff');
    expect((await clickIn(stack, owner1, preview.ownerDms[owner1], SlackActions.Promote, preview.buildId)).status).toBe(200);
    const failure = await stack.waitFor('the channel reports the failed production deployment', () =>
      stack.slack.messages(retry.channel).find((m) => m.text.includes('production deployment failed')),
    );
    expect(failure.text).toContain('attempt 1');
    expect(failure.text).toContain('ImagePullBackOff');
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'production-failed' });
    await stack.waitFor('the owners get their buttons back', () =>
      retry.owners.every((o) => buttonsOf(current(o, preview.ownerDms[o].ts)).some((b) => b.actionId === SlackActions.Promote)),
    );

    // Fixed: the image pulls again. The other owner tries again.
    stack.kube.setImageBehavior(anyReference, 'ready');
    expect((await clickIn(stack, owner2, preview.ownerDms[owner2], SlackActions.Promote, preview.buildId)).status).toBe(200);
    await stack.waitFor('the channel announces the production deployment by the second owner', () =>
      stack.slack.messages(retry.channel).some((m) => m.text.includes(`deployed to production by <@${owner2}>`)),
    );
    const production = stack.kube.get('Deployment', 'default', 'retry');
    expect(production.status.availableReplicas).toBe(1);
    expect(production.spec.template.spec.containers[0].image).toBe(`registry.example.org/retry@${stack.kube.registry.digestOf(image)}`);
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'in-production', promotedBy: owner2 });
    // Once in production, the build's preview is removed (previews.removeAfterProduction, on by default).
    await stack.waitFor('the preview of the shipped build is removed', () => previewDeployment(stack, retry.id, 'release') === undefined);
  }, 120_000);

  it('tears the preview down when an owner closes the build', async () => {
    const preview = await livePreview(stack, close, 'feature/x', 'registry.example.org/close:0.1.0');
    const name = stack.kube.objects().find((o) => o.kind === 'Deployment' && o.metadata.labels?.['deploybot.dev/project'] === 'close')!
      .metadata.name;
    expect(name).toMatch(/^close-branch-feature-x/);

    const owner = close.owners[0];
    expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Close, preview.buildId)).status).toBe(200);
    await stack.waitFor('the preview objects are deleted', () =>
      ['Deployment', 'Service', 'Ingress'].every((kind) => stack.kube.get(kind, 'default', name) === undefined),
    );
    for (const o of close.owners) {
      const dm = await stack.waitFor(`${o}'s DM says Closed`, () => {
        const m = current(o, preview.ownerDms[o].ts);
        return readable(m).includes(`Closed by <@${owner}>`) && m;
      });
      expect(buttonsOf(dm)).toEqual([]);
    }
    for (const q of close.qa!)
      await stack.waitFor(`${q}'s DM loses its buttons`, () => buttonsOf(current(q, preview.qaDms[q].ts)).length === 0);
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'closed', closedBy: owner });
  }, 90_000);

  it('supersedes the open build when CI reports a newer image of the same branch', async () => {
    const first = await livePreview(stack, supersede, 'main', 'registry.example.org/supersede:1');
    const second = await reportBuild(stack, {
      project: supersede.id,
      image: 'registry.example.org/supersede:2',
      type: 'branch',
      target: 'main',
    });
    expect(second.buildId).not.toBe(first.buildId);

    for (const person of [...supersede.owners, ...supersede.qa!]) {
      const ts = (first.ownerDms[person] ?? first.qaDms[person]).ts;
      const dm = await stack.waitFor(`${person}'s old DM says superseded`, () => {
        const m = current(person, ts);
        return readable(m).includes('Superseded') && m;
      });
      expect(buttonsOf(dm)).toEqual([]);
    }
    await waitForRequestDms(stack, supersede, second.buildId);
    const deployment = await stack.waitFor('the preview runs the new image', () => {
      const d = previewDeployment(stack, supersede.id, 'main');
      return d?.spec.template.spec.containers[0].image === 'registry.example.org/supersede:2' && d.status?.availableReplicas === 1 && d;
    });
    expect(deployment.metadata.annotations['deploybot.dev/build-id']).toBe(second.buildId);
    expect((await stack.getBuild(first.buildId)).body).toMatchObject({ status: 'superseded', supersededBy: second.buildId });
  }, 90_000);

  it('answers a click from someone without the role with an ephemeral reason and changes nothing', async () => {
    const preview = await livePreview(stack, denied, 'qa-only', 'registry.example.org/denied:1');
    const [qa] = denied.qa!;
    const stranger = 'U0STRANGER1';
    const edits = () =>
      [...denied.owners.map((o) => current(o, preview.ownerDms[o].ts)), ...denied.qa!.map((q) => current(q, preview.qaDms[q].ts))].map(
        (m) => m.editCount,
      );
    const before = edits();

    // QA may not promote (a crafted click); a stranger may not approve.
    expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Promote, preview.buildId)).status).toBe(200);
    expect(
      (
        await stack.slackClick({
          user: stranger,
          actionId: SlackActions.Approve,
          buildId: preview.buildId,
          channel: denied.channel,
          messageTs: '1700000000.000100',
        })
      ).status,
    ).toBe(200);

    const toQa = await stack.waitFor('QA gets an ephemeral refusal', () => stack.slack.ephemerals(qa)[0]);
    expect(toQa.text).toMatch(/owner|not allowed|only/i);
    expect(toQa.channel).toBe(preview.qaDms[qa].channel);
    const toStranger = await stack.waitFor('the stranger gets an ephemeral refusal', () => stack.slack.ephemerals(stranger)[0]);
    expect(toStranger.text).toMatch(/QA|not allowed|only/i);
    expect(toStranger.channel).toBe(denied.channel);

    await sleep(1_500);
    expect(edits()).toEqual(before);
    expect(stack.kube.get('Deployment', 'default', 'denied')).toBeUndefined();
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'awaiting-qa', verdicts: [], promotedBy: null });
    for (const o of denied.owners) expect(stack.slack.thread(o, preview.ownerDms[o].ts)).toEqual([]);
  }, 90_000);

  it('refuses a click with a bad signature (401) and changes nothing', async () => {
    const preview = await livePreview(stack, forged, 'sig', 'registry.example.org/forged:1');
    const [qa] = forged.qa!;
    const [owner] = forged.owners;
    const approve = await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId, { badSignature: true });
    expect(approve.status).toBe(401);
    const promote = await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId, { badSignature: true });
    expect(promote.status).toBe(401);

    await sleep(2_000);
    expect(current(qa, preview.qaDms[qa].ts).editCount).toBe(0);
    expect(buttonsOf(current(qa, preview.qaDms[qa].ts))).toHaveLength(2);
    for (const o of forged.owners) expect(stack.slack.thread(o, preview.ownerDms[o].ts)).toEqual([]);
    expect(stack.slack.ephemerals()).toEqual(expect.not.arrayContaining([expect.objectContaining({ user: qa })]));
    expect(stack.kube.get('Deployment', 'default', 'forged')).toBeUndefined();
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'awaiting-qa', verdicts: [] });
  }, 90_000);
});
