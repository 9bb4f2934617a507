import { expect, it } from '@jest/globals';
import { SlackCallFailed } from '../src/slack/slack-call-failed';
import type { SlackMessenger } from '../src/slack/slack-messenger.port';
import { CHANNEL, QA } from './build-fixtures';

const [USER] = QA;
const text = (t: string) => ({ text: t });
const anHourAgo = () => new Date(Date.now() - 3_600_000);

/**
 * What any SlackMessenger does, seen through the port only: run against the WebClient adapter
 * over the Slack Web API fake (slack-messenger.adapter.int-spec.ts) and against the in-memory
 * fake (in-memory-slack.spec.ts), so the fast tests' Slack answers as the adapter does.
 * `CHANNEL` must be a channel the bot is in.
 */
export function behavesAsTheSlackMessenger(slackUnderTest: () => SlackMessenger): void {
  it('answers where a post landed: the channel, or the D… id of the DM for a user id, the same one every time', async () => {
    const slack = slackUnderTest();
    const inChannel = await slack.post({ to: CHANNEL, message: text('status') });
    const first = await slack.post({ to: USER, message: text('QA request') });
    const second = await slack.post({ to: USER, message: text('another') });
    expect(inChannel.channel).toBe(CHANNEL);
    expect(first.channel).toMatch(/^D/);
    expect(second.channel).toBe(first.channel);
    expect(new Set([inChannel.ts, first.ts, second.ts]).size).toBe(3);
  });

  it('finds an earlier post by the effect it carried: in a channel, in a DM asked for by user id, in a thread', async () => {
    const slack = slackUnderTest();
    const status = await slack.post({ to: CHANNEL, message: text('status'), effect: 'ev-c/post:channel-status' });
    const dm = await slack.post({ to: USER, message: text('QA request'), effect: 'ev-c/post:qa:U' });
    const reply = await slack.post({ to: dm.channel, threadTs: dm.ts, message: text('verdict'), effect: 'ev-c/verdict:qa:U' });
    const since = anHourAgo();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-c/post:channel-status', since })).toEqual(status);
    expect(await slack.findPost({ to: USER, effect: 'ev-c/post:qa:U', since })).toEqual(dm);
    expect(await slack.findPost({ to: dm.channel, threadTs: dm.ts, effect: 'ev-c/verdict:qa:U', since })).toEqual(reply);
  });

  it('finds nothing for an effect no post carried', async () => {
    const slack = slackUnderTest();
    const dm = await slack.post({ to: USER, message: text('QA request'), effect: 'ev-d/post:qa:U' });
    const since = anHourAgo();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-d/never-posted', since })).toBeUndefined();
    expect(await slack.findPost({ to: dm.channel, threadTs: dm.ts, effect: 'ev-d/never-replied', since })).toBeUndefined();
  });

  it('finds a thread reply in its thread only, not in the conversation history', async () => {
    const slack = slackUnderTest();
    const status = await slack.post({ to: CHANNEL, message: text('status') });
    const reply = await slack.post({
      to: CHANNEL,
      threadTs: status.ts,
      message: text('deploying'),
      effect: 'ev-e/production:channel-status',
    });
    const since = anHourAgo();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-e/production:channel-status', since })).toBeUndefined();
    expect(await slack.findPost({ to: CHANNEL, threadTs: status.ts, effect: 'ev-e/production:channel-status', since })).toEqual(reply);
  });

  it('edits a posted message in place, and refuses to edit one that is not there', async () => {
    const slack = slackUnderTest();
    const ref = await slack.post({ to: CHANNEL, message: text('deploying') });
    await expect(slack.update(ref, text('deployed'))).resolves.toBeUndefined();
    const missing = slack.update({ channel: CHANNEL, ts: '1000000000.000001' }, text('deployed'));
    await expect(missing).rejects.toBeInstanceOf(SlackCallFailed);
    await expect(missing).rejects.toMatchObject({ code: 'message_not_found', kind: 'target', maybeDelivered: false });
  });

  it('refuses a thread reply under a message that is not there', async () => {
    const slack = slackUnderTest();
    const orphan = slack.post({ to: CHANNEL, threadTs: '1000000000.000001', message: text('reply') });
    await expect(orphan).rejects.toMatchObject({ code: 'thread_not_found', kind: 'target', permanent: true });
  });

  it('shows an ephemeral message to one person in a conversation', async () => {
    await expect(slackUnderTest().postEphemeral({ channel: CHANNEL, user: USER, message: text('not allowed') })).resolves.toBeUndefined();
  });
}
