import { describe, expect, it } from '@jest/globals';
import type { PersonHomeView, QueryReply } from '@app/contracts';
import type { JetStreamClient } from '@app/platform';
import { SlackCallFailed } from '../slack/slack-call-failed';
import type { SlackViews } from '../slack/slack-views.port';
import type { HomeView } from './home.blocks';
import { HomePublisher } from './home-publisher.service';

const home = (user: string, builds: number): PersonHomeView => ({
  user,
  toApprove: [],
  toShip: [],
  projects: [{ project: 'shop', name: `Shop ${builds}`, roles: ['qa'], previews: [], production: null }],
  releases: [],
});

/** Answers each query after the delay it is given next, with how many queries came before. */
class SlowApprovals {
  asked = 0;
  delays: number[] = [];
  async request<T>(): Promise<T> {
    const n = this.asked++;
    await new Promise((r) => setTimeout(r, this.delays[n] ?? 0));
    return { ok: true, data: home('U0QA00001', n) } satisfies QueryReply<PersonHomeView> as T;
  }
}

/** Records what is published; fails when told. */
class RecordingViews {
  published: string[] = [];
  fail?: string;
  async open(): Promise<{ viewId: string }> {
    throw new Error('not used');
  }
  async publish(user: string, view: HomeView): Promise<void> {
    if (this.fail) throw new SlackCallFailed('views.publish', this.fail, 'setup', false, 'refused');
    this.published.push(`${user}: ${JSON.stringify(view.blocks).match(/Shop \d/)?.[0]}`);
  }
}

const publisher = () => {
  const approvals = new SlowApprovals();
  const views = new RecordingViews();
  return { approvals, views, homes: new HomePublisher(approvals as unknown as JetStreamClient, views as unknown as SlackViews) };
};

describe('publishing a Home', () => {
  it('publishes one person’s Homes in turn, so a Home read earlier never lands over a later one', async () => {
    const { approvals, views, homes } = publisher();
    approvals.delays = [60, 0];
    await Promise.all([homes.publish('U0QA00001', 'QaApproved'), homes.publish('U0QA00001', 'BuildApproved')]);
    expect(views.published).toEqual(['U0QA00001: Shop 0', 'U0QA00001: Shop 1']);
  });

  it('answers why not when Slack refuses, and the next publish still goes', async () => {
    const { views, homes } = publisher();
    views.fail = 'not_authed';
    expect(await homes.publish('U0QA00001', 'opened')).toEqual({ ok: false, message: 'views.publish failed: not_authed' });
    views.fail = undefined;
    expect(await homes.publish('U0QA00001', 'opened')).toEqual({ ok: true });
  });
});
