import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RejectModalIds, SlackActions } from '@app/contracts';
import { clickIn, e2eProject, livePreview } from './support/flows';
import { buttonsOf, readable } from './support/slack-views';
import { SIGNING_SECRET, startStack, type Stack } from './support/stack';

/*
 * Reject with a reason against the four built services: QA clicks Reject, the gateway asks the
 * notifier to open the modal (views.open with the click's trigger id, in the Slack fake), QA
 * submits a reason (a signed view_submission to the gateway), approvals records it with the
 * rejection, and the QA DM, every owner's DM thread and GET /v1/builds/:id show it. Approve stays
 * one click; a reason that is too long keeps the modal open with the error.
 */
describe('Reject with a reason, end to end', () => {
  const project = e2eProject('rejects', 1);
  const [qa1, qa2] = project.qa!;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [project] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const reasonValues = (reason: string) => ({ [RejectModalIds.reasonBlockId]: { [RejectModalIds.reasonActionId]: reason } });

  it('QA rejects with a reason: the modal, then the QA DM, the owners’ threads and the build show it', async () => {
    const preview = await livePreview(stack, project, 'feature/modal', 'registry.example.org/rejects:1.0.0');
    const dm = preview.qaDms[qa1];

    const click = await clickIn(stack, qa1, dm, SlackActions.Reject, preview.buildId);
    expect([click.status, click.body]).toEqual([200, undefined]);
    const [modal] = stack.slack.views();
    expect(modal).toBeDefined(); // opened before the click was answered
    expect(modal.view).toMatchObject({ callback_id: RejectModalIds.callbackId, title: { text: 'Reject this build' } });
    expect(JSON.parse(String(modal.view.private_metadata))).toEqual({ buildId: preview.buildId, channel: dm.channel, messageTs: dm.ts });
    // Nothing is decided until QA submits: the DM keeps its buttons.
    expect(buttonsOf(stack.slack.messages(qa1).find((m) => m.ts === dm.ts)!)).toHaveLength(2);

    const url = `${stack.gatewayUrl}/slack/interactions`;
    const tooLong = await stack.slack.submitView({
      url,
      signingSecret: SIGNING_SECRET,
      viewId: modal.id,
      user: qa1,
      values: reasonValues('x'.repeat(501)),
    });
    expect(tooLong).toMatchObject({ closed: false, errors: { [RejectModalIds.reasonBlockId]: expect.stringContaining('500 characters') } });

    const reason = 'the login page is blank on Safari <!here>';
    const submitted = await stack.slack.submitView({
      url,
      signingSecret: SIGNING_SECRET,
      viewId: modal.id,
      user: qa1,
      values: reasonValues(reason),
    });
    expect(submitted).toMatchObject({ status: 200, closed: true });

    const qaDm = await stack.waitFor('the QA DM shows the rejection and its reason, without buttons', () => {
      const now = stack.slack.messages(qa1).find((m) => m.ts === dm.ts);
      return now && buttonsOf(now).length === 0 && now;
    });
    expect(readable(qaDm)).toContain('You rejected this build: “the login page is blank on Safari &lt;!here&gt;”');
    for (const owner of project.owners) {
      await stack.waitFor(`${owner} reads the reason in the DM thread`, () =>
        stack.slack
          .thread(owner, preview.ownerDms[owner].ts)
          .some((r) => r.text === `:x: <@${qa1}> rejected this build: “the login page is blank on Safari &lt;!here&gt;”`),
      );
    }
    const build = await stack.getBuild(preview.buildId);
    expect(build.body).toMatchObject({ status: 'rejected', verdicts: [{ user: qa1, verdict: 'reject', reason }] });
  }, 90_000);

  it('Approve stays one click: no modal', async () => {
    const preview = await livePreview(stack, project, 'feature/approve', 'registry.example.org/rejects:1.0.1');
    const views = stack.slack.views().length;
    await clickIn(stack, qa2, preview.qaDms[qa2], SlackActions.Approve, preview.buildId);
    await stack.waitFor('the approval is recorded', async () => (await stack.getBuild(preview.buildId)).body?.status === 'approved');
    expect(stack.slack.views()).toHaveLength(views);
  }, 90_000);
});
