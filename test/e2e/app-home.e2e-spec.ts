import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlackActions } from '@app/contracts';
import { appHomeOpened, eventCallback, sendEvent, type PublishedHome } from '../fakes/slack';
import { clickIn, e2eProject, livePreview } from './support/flows';
import { SIGNING_SECRET, startStack, type Stack } from './support/stack';

/*
 * The App Home against the four built services: a QA member opens the Home tab (a signed
 * app_home_opened from the Slack fake to POST /slack/events), the gateway asks the notifier, the
 * notifier asks approvals and publishes the Home (views.publish in the Slack fake) with the build
 * waiting for their verdict; they approve from the DM, and the notifier republishes their Home
 * without it.
 */
describe('App Home, end to end', () => {
  const project = e2eProject('homes', 1);
  const [qa1] = project.qa!;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ projects: [project] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const text = (home: PublishedHome | undefined): string => JSON.stringify(home?.view.blocks ?? []);

  it('a QA member opens Home and sees the build waiting for them; once they approve from the DM it is republished without it', async () => {
    const preview = await livePreview(stack, project, 'feature/home', 'registry.example.org/homes:1.0.0');
    const opened = await sendEvent(eventCallback(appHomeOpened(qa1)), {
      url: `${stack.gatewayUrl}/slack/events`,
      signingSecret: SIGNING_SECRET,
    });
    expect([opened.status, opened.body]).toEqual([200, '']);

    const first = await stack.waitFor('the QA member’s Home is published', () => stack.slack.homes(qa1).at(-1));
    expect(first.view.type).toBe('home');
    expect(text(first)).toContain('Approve or reject');
    expect(text(first)).toContain('feature/home');

    const publishedBefore = stack.slack.homes(qa1).length;
    const click = await clickIn(stack, qa1, preview.qaDms[qa1], SlackActions.Approve, preview.buildId);
    expect(click.status).toBe(200);
    const after = await stack.waitFor('the Home is republished without the approved build', () => {
      const homes = stack.slack.homes(qa1);
      const latest = homes.at(-1);
      return homes.length > publishedBefore && !text(latest).includes('Approve or reject') && latest;
    });
    expect(text(after)).toContain('Nothing waits for your verdict.');
    // Only people who opened their Home get one.
    for (const owner of project.owners) expect(stack.slack.homes(owner)).toEqual([]);
  }, 90_000);
});
