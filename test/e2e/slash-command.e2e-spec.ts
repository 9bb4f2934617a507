import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import type { EphemeralMessage, SlackMessage, SlashCommandResult } from '../fakes/slack';
import { clickIn, e2eProject, livePreview } from './support/flows';
import { buttonsOf } from './support/slack-views';
import { startStack, type Stack } from './support/stack';

/*
 * The /deploybot slash command against the four built services, typed through the Slack fake
 * (signed as Slack signs it, answered within 3 s, shown ephemeral): status, builds, releases,
 * help, a typo, and promote — a non-owner refused as the DM button refuses, an owner shipping
 * through the confirm button of the command's answer.
 */
describe('the /deploybot slash command, end to end', () => {
  const project = e2eProject('shop', 1);
  const [qa1, qa2] = project.qa!;
  const [owner1] = project.owners;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [project] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** Types the command and returns what Slack showed the person: always an ephemeral answer, in time. */
  async function type(user: string, text: string): Promise<EphemeralMessage & { result: SlashCommandResult }> {
    const result = await stack.slashCommand(user, project.channel, text);
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.tookMs).toBeLessThan(3_000);
    expect(result.shown?.kind).toBe('ephemeral');
    const shown = stack.slack.ephemerals(user).find((e) => e.message_ts === result.shown!.ts)!;
    expect(shown.via).toBe('slash-command');
    return { ...shown, result };
  }
  /** An ephemeral answer read with the helpers for messages (they look at text and blocks only). */
  const asMessage = (m: EphemeralMessage): SlackMessage => ({ ...m, ts: m.message_ts }) as unknown as SlackMessage;
  /** The answer's mrkdwn as written (mentions as <@U…>), with Slack's &lt; &gt; &amp; shown as the characters they stand for. */
  const read = (m: EphemeralMessage): string =>
    [
      m.text,
      ...((m.blocks ?? []) as Array<{ text?: { text: string }; elements?: Array<{ text?: string }> }>).flatMap((b) => [
        b.text?.text ?? '',
        ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : '')),
      ]),
    ]
      .join('\n')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');

  it('answers help and a typo with usage, and a bad signature with 401', async () => {
    expect(read(await type(qa1, 'help'))).toContain('/deploybot promote <project> <branch|tag>/<name>');
    const typo = await type(qa1, 'shipit shop');
    expect(typo.text).toContain('"shipit" is not a deploybot command');
    const forged = await stack.slack.slashCommand({
      url: `${stack.gatewayUrl}/slack/commands`,
      signingSecret: stack.signingSecret,
      user: qa1,
      channel: project.channel,
      text: 'status',
      badSignature: true,
    });
    expect(forged).toMatchObject({ status: 401, failure: 'http_status_401' });
  }, 60_000);

  it('shows status, refuses a non-owner, ships through the confirm button, then lists the release', async () => {
    const image = 'registry.example.org/shop:2.0.0';
    const preview = await livePreview(stack, project, 'feature/login', image);

    // status: nothing in production yet; the build waits for both QA members.
    const before = read(await type(owner1, 'status shop'));
    expect(before).toContain('nothing shipped yet');
    expect(before).toContain(`waits for QA: <@${qa1}>, <@${qa2}> (1 more approval needed)`);

    // A QA member asks to promote: the command offers the button (approvals decides, not the gateway)…
    const offered = await type(qa1, 'promote shop branch/feature/login');
    expect(buttonsOf(asMessage(offered))).toEqual([{ actionId: SlackActions.Promote, value: preview.buildId }]);
    // …and the click is refused exactly as the owner DM's button would refuse it, ephemeral where it was clicked.
    const click = await stack.slackClick({
      user: qa1,
      actionId: SlackActions.Promote,
      buildId: preview.buildId,
      channel: project.channel,
      messageTs: offered.message_ts,
      ephemeral: true,
    });
    expect(click.status).toBe(200);
    const refusal = await stack.waitFor('the QA member is told only owners can ship', () =>
      stack.slack.ephemerals(qa1).find((e) => e.via !== 'slash-command'),
    );
    expect(refusal.text).toMatch(/only the owners/i);
    expect(refusal.channel).toBe(project.channel);

    // QA approves in the DM; the owner promotes from the command, confirming with the button.
    await clickIn(stack, qa1, preview.qaDms[qa1], SlackActions.Approve, preview.buildId);
    await stack.waitFor('the build is approved', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');
    expect(read(await type(owner1, 'status'))).toContain(`ready: waits for an owner to ship it: <@${owner1}>`);
    const confirm = await type(owner1, 'promote shop branch/feature/login');
    const [button] = buttonsOf(asMessage(confirm));
    expect(button).toEqual({ actionId: SlackActions.Promote, value: preview.buildId });
    expect(JSON.stringify(confirm.blocks)).toContain('"confirm":{"type":"plain_text","text":"Deploy"}');
    await stack.slackClick({
      user: owner1,
      actionId: SlackActions.Promote,
      buildId: button.value,
      channel: project.channel,
      messageTs: confirm.message_ts,
      ephemeral: true,
    });
    await stack.waitFor('the channel announces the production deployment', () =>
      stack.slack.messages(project.channel).some((m) => m.text.includes(`deployed to production by <@${owner1}>`)),
    );
    const production = stack.kube.get('Deployment', 'default', 'shop');
    expect(production.spec.template.spec.containers[0].image).toBe(`registry.example.org/shop@${stack.kube.registry.digestOf(image)}`);

    // releases, builds and status now show the release; close has nothing left to close.
    const releases = read(await type(qa2, 'releases shop'));
    expect(releases).toContain(`branch \`feature/login\` \`${image}`);
    expect(releases).toContain(`by <@${owner1}>`);
    expect(read(await type(qa2, 'builds shop'))).toContain(`*in-production*, shipped by <@${owner1}>`);
    const after = read(await type(qa2, 'status shop'));
    expect(after).toContain('*Production:* branch `feature/login`');
    expect(after).toContain('_No open builds._');
    const closing = await type(owner1, 'close shop branch/feature/login');
    expect(buttonsOf(asMessage(closing))).toEqual([]);
    expect(closing.text).toContain('is in production');
  }, 120_000);
});
