import { afterEach, expect, it } from '@jest/globals';
import type { SlackMessenger } from '../src/slack/slack-messenger.port';
import { CHANNEL } from './build-fixtures';
import type { FakeOutage } from './in-memory-slack';

/** A SlackMessenger with its probe, and a way to take "Slack" down and bring it back. */
export interface SlackWithOutages {
  slack: SlackMessenger & { probe(): Promise<unknown> };
  startOutage(how: FakeOutage): Promise<void>;
  endOutage(): Promise<void>;
}

const text = (t: string) => ({ text: t });
const anHourAgo = () => new Date(Date.now() - 3_600_000);

/**
 * What any SlackMessenger does while Slack is down, through the port: run against the WebClient
 * adapter over the Slack fake's standing conditions (slack-messenger.adapter.int-spec.ts) and
 * against the in-memory fake's outages (in-memory-slack.spec.ts), so the fast outage tests see
 * the failures the adapter really throws.
 */
export function behavesAsTheSlackMessengerDuringOutages(under: () => SlackWithOutages): void {
  afterEach(async () => {
    await under().endOutage();
  });

  it('fails every call as unavailable while connections are refused, and Slack did nothing', async () => {
    const { slack, startOutage, endOutage } = under();
    const ref = await slack.post({ to: CHANNEL, message: text('status') });
    await startOutage('refused');

    // Not `maybeDelivered: false` for sure: a request on a kept-alive connection the server just closed may have been sent.
    await expect(slack.post({ to: CHANNEL, message: text('lost?'), effect: 'ev-o1/post' })).rejects.toMatchObject({
      kind: 'unavailable',
      permanent: false,
    });
    await expect(slack.update(ref, text('edited'))).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(slack.probe()).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(slack.findPost({ to: CHANNEL, effect: 'ev-o1/post', since: anHourAgo() })).resolves.toBeUndefined();

    await endOutage();
    await slack.probe();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-o1/post', since: anHourAgo() })).toBeUndefined();
  });

  it('fails every call as unavailable while Slack answers HTTP 5xx, and Slack did nothing', async () => {
    const { slack, startOutage, endOutage } = under();
    await startOutage('server-error');
    await expect(slack.post({ to: CHANNEL, message: text('lost?'), effect: 'ev-o2/post' })).rejects.toMatchObject({
      kind: 'unavailable',
      permanent: false,
    });
    await expect(slack.probe()).rejects.toMatchObject({ kind: 'unavailable' });

    await endOutage();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-o2/post', since: anHourAgo() })).toBeUndefined();
  });

  it('fails a post as unavailable and maybe delivered while Slack stalls; the post is there once Slack answers', async () => {
    const { slack, startOutage, endOutage } = under();
    await startOutage('stall');
    await expect(slack.post({ to: CHANNEL, message: text('landed'), effect: 'ev-o3/post' })).rejects.toMatchObject({
      kind: 'unavailable',
      maybeDelivered: true,
    });

    await endOutage();
    expect(await slack.findPost({ to: CHANNEL, effect: 'ev-o3/post', since: anHourAgo() })).toEqual({
      channel: CHANNEL,
      ts: expect.any(String),
    });
  });
}
