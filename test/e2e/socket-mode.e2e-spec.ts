import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RejectModalIds, SlackActions } from '@app/contracts';
import { DEFAULT_APP_TOKEN } from '../fakes/slack';
import { e2eProject, livePreview } from './support/flows';
import { blockActionsPayload } from './support/slack-click';
import { buttonsOf, readable } from './support/slack-views';
import { startStack, type Stack } from './support/stack';

/*
 * Socket Mode against the four built services: the gateway runs with SLACK_APP_TOKEN, opens its
 * connection to the Slack fake's Socket Mode endpoint, and a QA click and a slash command arrive
 * through the socket (no HTTP request, no signature) with the same effect as over HTTP; a dropped
 * connection is opened again and shows in /readyz.
 */
describe('Socket Mode, end to end', () => {
  const project = e2eProject('sock', 1);
  const [qa1, qa2] = project.qa!;
  let stack: Stack;

  const socketState = async (): Promise<string | undefined> => {
    const body = (await (await fetch(`${stack.gatewayUrl}/readyz`)).json()) as { states?: Record<string, string> };
    return body.states?.['slack-socket'];
  };

  beforeAll(async () => {
    stack = await startStack({ projects: [project], env: { SLACK_APP_TOKEN: DEFAULT_APP_TOKEN } });
    await stack.waitFor(
      'the gateway connected over Socket Mode',
      async () => (await socketState()) === 'connected' && stack.slack.socketConnections() === 1,
    );
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('a QA click through the socket approves the build; a slash command through it is answered', async () => {
    const preview = await livePreview(stack, project, 'feature/socket', 'registry.example.org/sock:1.0.0');
    const dm = preview.qaDms[qa1];
    const delivery = await stack.slack.socketInteraction(
      blockActionsPayload({
        user: qa1,
        actionId: SlackActions.Approve,
        buildId: preview.buildId,
        channel: dm.channel,
        messageTs: dm.ts,
        signingSecret: '',
      }),
    );
    expect(delivery).toMatchObject({ ack: {} });
    expect(delivery.tookMs).toBeLessThan(3_000);

    const qaDm = await stack.waitFor('the QA DM shows the verdict without buttons', () => {
      const now = stack.slack.messages(qa1).find((m) => m.ts === dm.ts);
      return now && buttonsOf(now).length === 0 && now;
    });
    expect(readable(qaDm)).toContain('You approved this build');
    for (const owner of project.owners) {
      await stack.waitFor(`${owner} is told in the thread`, () =>
        stack.slack.thread(owner, preview.ownerDms[owner].ts).some((r) => r.text.includes(`<@${qa1}> approved this build`)),
      );
    }
    expect((await stack.getBuild(preview.buildId)).body).toMatchObject({ id: preview.buildId });

    const status = await stack.slack.socketSlashCommand({ user: project.owners[0], channel: project.channel, text: 'status sock' });
    expect(status.failure).toBeUndefined();
    expect(status.shown?.kind).toBe('ephemeral');
    expect(JSON.stringify(status.answer)).toContain('feature/socket');
    // Nothing reached the HTTP routes: no signed request was made.
    expect(stack.slack.socketEnvelopes().map((e) => e.type)).toEqual(['interactive', 'slash_commands']);
  }, 90_000);

  it('a dropped connection is opened again, shows as reconnecting meanwhile, and clicks still arrive', async () => {
    stack.slack.dropSocketConnections();
    const seen = new Set<string | undefined>();
    await stack.waitFor(
      'the gateway connected again',
      async () => {
        seen.add(await socketState());
        return stack.slack.socketConnections() === 1 && (await socketState()) === 'connected' && seen.has('reconnecting');
      },
      30_000,
    );

    const preview = await livePreview(stack, project, 'feature/socket-2', 'registry.example.org/sock:1.0.1');
    const dm = preview.qaDms[qa2];
    await stack.slack.socketInteraction(
      blockActionsPayload({
        user: qa2,
        actionId: SlackActions.Reject,
        buildId: preview.buildId,
        channel: dm.channel,
        messageTs: dm.ts,
        signingSecret: '',
      }),
    );
    // Reject opens the modal (the notifier's views.open); its submission comes back over the socket too.
    const modal = await stack.waitFor('the reject modal is open', () =>
      stack.slack.views().find((v) => String(v.view.private_metadata).includes(preview.buildId)),
    );
    const submitted = await stack.slack.socketViewSubmission({
      viewId: modal.id,
      user: qa2,
      values: { [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: 'the socket says no' } },
    });
    expect(submitted).toMatchObject({ closed: true });
    const qaDm = await stack.waitFor('the rejecting QA DM shows the verdict', () => {
      const now = stack.slack.messages(qa2).find((m) => m.ts === dm.ts);
      return now && buttonsOf(now).length === 0 && now;
    });
    expect(readable(qaDm)).toContain('You rejected this build: “the socket says no”');
  }, 90_000);
});
