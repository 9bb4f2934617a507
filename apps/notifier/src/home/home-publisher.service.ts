import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PersonHomeView, type PublishHomeReply, type QueryReply, Subjects } from '@app/contracts';
import { JETSTREAM_CLIENT, type JetStreamClient } from '@app/platform';
import { SlackCallFailed } from '../slack/slack-call-failed';
import { SLACK_VIEWS, type SlackViews } from '../slack/slack-views.port';
import { homeView } from './home.blocks';

/** How long approvals has to answer a person's Home: the view is published after the event is acked, so this is no 3 s budget. */
export const PERSON_HOME_QUERY_TIMEOUT_MS = 5_000;

/**
 * Publishes one person's App Home: asks approvals what it shows (Subjects.PersonHome), renders it
 * (`homeView`) and calls `views.publish`, which replaces the whole tab — so publishing twice is
 * harmless, and nothing is recorded in the ledger. Never throws for Slack or approvals: the answer says why not.
 */
@Injectable()
export class HomePublisher {
  private readonly logger = new Logger('AppHome');
  /** One publish at a time per person (in this process), so a Home read earlier is never published over a later one. */
  private readonly inTurn = new Map<string, Promise<PublishHomeReply>>();

  constructor(
    @Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient,
    @Inject(SLACK_VIEWS) private readonly views: SlackViews,
  ) {}

  async publish(user: string, why: string): Promise<PublishHomeReply> {
    const before = this.inTurn.get(user);
    const mine = (before ?? Promise.resolve()).catch(() => undefined).then(() => this.publishNow(user, why));
    this.inTurn.set(user, mine);
    try {
      return await mine;
    } finally {
      if (this.inTurn.get(user) === mine) this.inTurn.delete(user);
    }
  }

  private async publishNow(user: string, why: string): Promise<PublishHomeReply> {
    let reply: QueryReply<PersonHomeView>;
    try {
      reply = await this.client.request<QueryReply<PersonHomeView>>(Subjects.PersonHome, { user }, PERSON_HOME_QUERY_TIMEOUT_MS);
    } catch (error) {
      return this.failed(user, why, `approvals did not answer: ${(error as Error).message}`);
    }
    if (!reply?.ok) return this.failed(user, why, `approvals refused: ${reply?.message ?? 'no answer'}`);
    try {
      await this.views.publish(user, homeView(reply.data));
    } catch (error) {
      if (!(error instanceof SlackCallFailed)) throw error;
      return this.failed(user, why, `views.publish failed: ${error.code}`);
    }
    this.logger.log({ msg: 'home published', user, why, toApprove: reply.data.toApprove.length, toShip: reply.data.toShip.length });
    return { ok: true };
  }

  private failed(user: string, why: string, message: string): PublishHomeReply {
    this.logger.warn({ msg: 'could not publish the home', user, why, reason: message });
    return { ok: false, message };
  }
}
