import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { createTestNats } from '../infra/test-infra';
import { clickIn, e2eProject, livePreview, waitForRequestDms } from './support/flows';
import {
  privateNatsAvailable,
  privatePostgresUnavailable,
  startPrivateNats,
  startPrivatePostgres,
  type PrivateNats,
  type PrivatePostgres,
} from './support/private-infra';
import { readable, topLevel } from './support/slack-views';
import { startStack, type Stack } from './support/stack';
import { previewDeployment } from './support/workloads';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/*
 * Crashes and restarts: of a service (kill -9), of NATS and of Postgres. The stack runs on a
 * private nats-server and a private Postgres cluster so they can be restarted without touching
 * the machine's shared servers. JetStream redelivers what a killed service had not acked after
 * the consumers' ack wait (30 s), so some of these tests take that long.
 */
const postgresSkip = privatePostgresUnavailable();
const itWithPrivateNats = privateNatsAvailable() ? it : it.skip;
const itWithPrivatePostgres = postgresSkip ? it.skip : it;
if (!privateNatsAvailable()) process.stderr.write('restarts.e2e: no /usr/sbin/nats-server, the NATS restart test is skipped\n');
if (postgresSkip) process.stderr.write(`restarts.e2e: no private Postgres (${postgresSkip}), the Postgres restart test is skipped\n`);

describe('deploybot across crashes and restarts', () => {
  const quiet = e2eProject('quiet', 10);
  const midflight = e2eProject('midflight', 11);
  const slow = e2eProject('slow', 12);
  const natsdown = e2eProject('natsdown', 13);
  const pgdown = e2eProject('pgdown', 14);
  let stack: Stack;
  let nats: PrivateNats | undefined;
  let postgres: PrivatePostgres | undefined;

  /** How many replies under `ts` in `user`'s DM contain `needle`. */
  const replies = (user: string, ts: string, needle: string) => stack.slack.thread(user, ts).filter((r) => r.text.includes(needle)).length;

  beforeAll(async () => {
    nats = privateNatsAvailable() ? await startPrivateNats() : undefined;
    postgres = postgresSkip ? undefined : await startPrivatePostgres();
    stack = await startStack({
      projects: [quiet, midflight, slow, natsdown, pgdown],
      nats: nats ?? (await createTestNats()),
      ...(postgres ? { database: postgres } : {}),
      env: { ROLLOUT_TIMEOUT_SECONDS: '300' },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('gives owners exactly one verdict reply when the notifier was killed before the verdict and restarted', async () => {
    const preview = await livePreview(stack, quiet, 'main', 'registry.example.org/quiet:1');
    const [qa] = quiet.qa!;
    await stack.kill('notifier', 'SIGKILL');

    expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId)).status).toBe(200);
    await stack.waitFor('approvals records the approval', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');
    await stack.restart('notifier');

    for (const owner of quiet.owners) {
      await stack.waitFor(
        `${owner} gets the verdict and the ready note`,
        () =>
          replies(owner, preview.ownerDms[owner].ts, 'approved this build') &&
          replies(owner, preview.ownerDms[owner].ts, 'ready for production'),
      );
    }
    await sleep(2_000);
    for (const owner of quiet.owners) {
      expect(replies(owner, preview.ownerDms[owner].ts, 'approved this build')).toBe(1);
      expect(replies(owner, preview.ownerDms[owner].ts, 'ready for production')).toBe(1);
    }
    expect(readable(stack.slack.messages(qa).find((m) => m.ts === preview.qaDms[qa].ts)!)).toContain('You approved this build');
  }, 90_000);

  it('neither loses nor doubles replies when the notifier is killed while posting them', async () => {
    const preview = await livePreview(stack, midflight, 'main', 'registry.example.org/midflight:1');
    const [qa] = midflight.qa!;
    const [owner1] = midflight.owners;
    expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId)).status).toBe(200);
    // Killed as soon as the first reply is out: the rest of that event's work (the other owner,
    // the "ready" notes, paced per conversation) is left undone and the event unacked.
    await stack.waitFor('the first verdict reply', () => replies(owner1, preview.ownerDms[owner1].ts, 'approved this build'), 30_000);
    await stack.kill('notifier', 'SIGKILL');
    await stack.restart('notifier');

    for (const owner of midflight.owners) {
      await stack.waitFor(
        `${owner} gets the verdict and the ready note after the redelivery`,
        () =>
          replies(owner, preview.ownerDms[owner].ts, 'approved this build') &&
          replies(owner, preview.ownerDms[owner].ts, 'ready for production'),
        60_000,
      );
    }
    await sleep(2_000);
    for (const owner of midflight.owners) {
      expect(replies(owner, preview.ownerDms[owner].ts, 'approved this build')).toBe(1);
      expect(replies(owner, preview.ownerDms[owner].ts, 'ready for production')).toBe(1);
    }
  }, 120_000);

  it('reports one outcome when the deployer is killed mid-rollout and restarted', async () => {
    const image = 'registry.example.org/slow:1';
    stack.kube.setImageBehavior(image, 'ready', { readyAfterMs: 60_000 }); // × time scale 0.1: ready after 6 s
    const accepted = await stack.ciBuildComplete({ project: slow.id, image, type: 'branch', target: 'main' });
    expect(accepted.status).toBe(202);
    await stack.waitFor('the preview Deployment is applied', () => previewDeployment(stack, slow.id, 'main'));
    await stack.kill('deployer', 'SIGKILL');
    await stack.restart('deployer');

    const build = (await stack.getBuild(accepted.body.id)).body;
    await waitForRequestDms(stack, slow, build.id, 75_000);
    await sleep(2_000);
    const statuses = topLevel(stack.slack, slow.channel);
    expect(statuses).toHaveLength(1);
    expect(readable(statuses[0])).toContain('deployed: <https://main.branch.slow.example.org');
    expect(statuses[0].history.some((v) => v.text.includes('failed'))).toBe(false);
    for (const person of [...slow.owners, ...slow.qa!]) expect(topLevel(stack.slack, person)).toHaveLength(1);
    const deployment = previewDeployment(stack, slow.id, 'main');
    expect(deployment.metadata.generation).toBe(1);
    expect(
      stack.kube.objects().filter((o) => o.kind === 'ReplicaSet' && o.metadata.labels?.['deploybot.dev/project'] === slow.id),
    ).toHaveLength(1);
    expect((await stack.getBuild(build.id)).body).toMatchObject({ status: 'awaiting-qa' });
  }, 120_000);

  itWithPrivateNats(
    'answers CI 503 and clicks with try again while NATS is down, and completes the flow once it is back, with nothing lost or doubled',
    async () => {
      const preview = await livePreview(stack, natsdown, 'main', 'registry.example.org/natsdown:1');
      const [qa] = natsdown.qa!;
      const [owner] = natsdown.owners;

      await nats!.stop();
      const refused = await stack.ciBuildComplete({
        project: natsdown.id,
        image: 'registry.example.org/natsdown:1',
        type: 'tag',
        target: 'v1.0.0',
      });
      expect(refused.status).toBe(503);
      // Slack always gets its 200 in time; the person is told to try again.
      const lostClick = await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId);
      expect(lostClick.status).toBe(200);
      expect(lostClick.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('try again') });
      await nats!.start();
      await stack.waitAllReady(60_000);

      // CI retries; the click and the promotion go through the restarted server.
      const retried = await stack.ciBuildComplete({
        project: natsdown.id,
        image: 'registry.example.org/natsdown:1',
        type: 'tag',
        target: 'v1.0.0',
      });
      expect(retried.status).toBe(202);
      expect((await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId)).status).toBe(200);
      await stack.waitFor('the verdict reply', () => replies(owner, preview.ownerDms[owner].ts, 'approved this build'), 30_000);
      expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
      await stack.waitFor(
        'the production announcement',
        () => stack.slack.messages(natsdown.channel).some((m) => m.text.includes('deployed to production by')),
        30_000,
      );
      const tagBuild = (await stack.getBuild(retried.body.id)).body;
      await waitForRequestDms(stack, natsdown, tagBuild.id, 30_000);
      await sleep(2_000);

      for (const o of natsdown.owners) expect(replies(o, preview.ownerDms[o].ts, 'approved this build')).toBe(1);
      expect(stack.slack.messages(natsdown.channel).filter((m) => m.text.includes('deployed to production by'))).toHaveLength(1);
      expect(topLevel(stack.slack, natsdown.channel)).toHaveLength(2); // the branch build and the tag build
      for (const person of [...natsdown.owners, ...natsdown.qa!]) expect(topLevel(stack.slack, person)).toHaveLength(2);
    },
    150_000,
  );

  itWithPrivatePostgres(
    'keeps a click made while Postgres is down and completes the flow once it is back, with nothing lost or doubled',
    async () => {
      const preview = await livePreview(stack, pgdown, 'main', 'registry.example.org/pgdown:1');
      const [qa] = pgdown.qa!;
      const [owner] = pgdown.owners;

      // The click arrives while Postgres is down: JetStream keeps it, approvals retries it.
      postgres!.stop();
      const click = await clickIn(stack, qa, preview.qaDms[qa], SlackActions.Approve, preview.buildId);
      expect(click).toEqual({ status: 200, body: undefined });
      await sleep(1_500);
      postgres!.start();
      await stack.waitAllReady(60_000);

      await stack.waitFor('the verdict reply', () => replies(owner, preview.ownerDms[owner].ts, 'approved this build'), 45_000);
      expect((await clickIn(stack, owner, preview.ownerDms[owner], SlackActions.Promote, preview.buildId)).status).toBe(200);
      await stack.waitFor(
        'the production announcement',
        () => stack.slack.messages(pgdown.channel).some((m) => m.text.includes('deployed to production by')),
        45_000,
      );
      await sleep(2_000);

      for (const o of pgdown.owners) expect(replies(o, preview.ownerDms[o].ts, 'approved this build')).toBe(1);
      expect(stack.slack.messages(pgdown.channel).filter((m) => m.text.includes('deployed to production by'))).toHaveLength(1);
      expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ status: 'in-production', promotedBy: owner });
    },
    150_000,
  );
});
