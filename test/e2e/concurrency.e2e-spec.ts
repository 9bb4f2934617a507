import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { clickIn, e2eProject, livePreview, waitForRequestDms } from './support/flows';
import { topLevel } from './support/slack-views';
import { CI_TOKEN, startStack, type Stack } from './support/stack';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/* Duplicates and races at the edges: CI retrying at once, two owners clicking at once. */
describe('deploybot under duplicate and concurrent requests', () => {
  const triple = e2eProject('triple', 8);
  const race = e2eProject('race', 9);
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [triple, race] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('makes one build and one set of messages from the same CI call sent three times at once', async () => {
    const form = { project: triple.id, image: 'registry.example.org/triple:3.1.4', type: 'branch', target: 'develop' };
    const answers = await Promise.all([1, 2, 3].map(() => stack.ciBuildComplete(form)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);

    const build = await stack.waitFor('the build is registered', async () => {
      const view = await stack.getBuild(answers[0].body.id);
      return view.status === 200 && view.body;
    });
    await waitForRequestDms(stack, triple, build.id);
    await sleep(2_000); // room for any duplicate to show up

    const list = await fetch(`${stack.gatewayUrl}/v1/projects/${triple.id}/builds`, {
      headers: { Authorization: `Bearer ${CI_TOKEN}` },
    }).then((r) => r.json() as Promise<{ builds: unknown[] }>);
    expect(list.builds).toHaveLength(1);
    expect(topLevel(stack.slack, triple.channel)).toHaveLength(1);
    for (const person of [...triple.owners, ...triple.qa!]) expect(topLevel(stack.slack, person)).toHaveLength(1);
    const deployments = stack.kube
      .objects()
      .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['deploybot.dev/project'] === triple.id);
    expect(deployments).toHaveLength(1);
    const replicaSets = stack.kube
      .objects()
      .filter((o) => o.kind === 'ReplicaSet' && o.metadata.labels?.['deploybot.dev/project'] === triple.id);
    expect(replicaSets).toHaveLength(1);
  }, 90_000);

  it('ships once when two owners promote at the same moment', async () => {
    const preview = await livePreview(stack, race, 'main', 'registry.example.org/race:1');
    const [owner1, owner2] = race.owners;
    expect((await clickIn(stack, race.qa![0], preview.qaDms[race.qa![0]], SlackActions.Approve, preview.buildId)).status).toBe(200);
    await stack.waitFor('the build is approved', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');

    const clicks = await Promise.all([
      clickIn(stack, owner1, preview.ownerDms[owner1], SlackActions.Promote, preview.buildId),
      clickIn(stack, owner2, preview.ownerDms[owner2], SlackActions.Promote, preview.buildId),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);

    const announcement = await stack.waitFor('the channel announces the production deployment', () =>
      stack.slack.messages(race.channel).find((m) => m.text.includes('deployed to production by')),
    );
    const shippedBy = announcement.text.includes(`<@${owner1}>`) ? owner1 : owner2;
    const other = shippedBy === owner1 ? owner2 : owner1;
    // The click that lost is refused (production is busy or done) and its owner is told so.
    const refusal = await stack.waitFor(`${other} is told the build is already shipping`, () => stack.slack.ephemerals(other)[0]);
    expect(refusal.channel).toBe(preview.ownerDms[other].channel);
    await sleep(2_000);

    const messages = stack.slack.messages(race.channel);
    expect(messages.filter((m) => m.text.includes('deployed to production by'))).toHaveLength(1);
    // one reply followed the promotion, posted as "deploying to production…" and edited in place
    expect(messages.filter((m) => m.text.includes('deploying to production'))).toHaveLength(0);
    const productionReplicaSets = stack.kube
      .objects()
      .filter((o) => o.kind === 'ReplicaSet' && o.metadata.labels?.['app.kubernetes.io/name'] === race.id);
    expect(productionReplicaSets).toHaveLength(1);
    const applies = stack.kube
      .requests()
      .filter((r) => r.method === 'PATCH' && r.path === `/apis/apps/v1/namespaces/default/deployments/${race.id}`);
    expect(applies).toHaveLength(1);
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'in-production', promotedBy: shippedBy });
  }, 90_000);
});
