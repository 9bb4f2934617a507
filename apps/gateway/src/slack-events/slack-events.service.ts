import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PublishHomeReply, Subjects } from '@app/contracts';
import { JETSTREAM_CLIENT, JetStreamClient } from '@app/platform';
import { withDeadline } from '../http/with-deadline';
import { readSlackEvent } from './slack-event';

/** How long the notifier has to publish a Home (it asks approvals, then Slack): the event was acked before. */
export const PUBLISH_HOME_DEADLINE_MS = 10_000;

/** What the gateway answers an Events API body with: Slack's challenge, or a bare ack. */
export type SlackEventAnswer = { challenge: string } | undefined;

/**
 * Serves Slack's Events API, whichever way it came (POST /slack/events, or a Socket Mode
 * `events_api` envelope): answers `url_verification`, and for `app_home_opened` asks the notifier —
 * the only service that calls Slack — to publish the person's Home (Subjects.PublishHome). The
 * request is not awaited: Slack wants its ack within 3 s and a Home needs a query and a
 * `views.publish`; a Home that could not be published is logged, and published again the next time
 * the tab is opened. Never throws.
 */
@Injectable()
export class SlackEvents {
  private readonly logger = new Logger('SlackEvents');

  constructor(@Inject(JETSTREAM_CLIENT) private readonly client: JetStreamClient) {}

  take(body: unknown): SlackEventAnswer {
    const read = readSlackEvent(body);
    switch (read.kind) {
      case 'url-verification':
        return { challenge: read.challenge };
      case 'home-opened':
        void this.publishHome(read.user);
        return undefined;
      case 'ignored':
        this.logger.debug({ msg: 'Slack event acknowledged and ignored', reason: read.reason });
        return undefined;
      default: {
        const _exhaustive: never = read;
        return _exhaustive;
      }
    }
  }

  /** Never rejects: every failure is logged here. */
  private async publishHome(user: string): Promise<void> {
    try {
      const reply = await withDeadline(
        this.client.request<PublishHomeReply>(Subjects.PublishHome, { user }, PUBLISH_HOME_DEADLINE_MS),
        PUBLISH_HOME_DEADLINE_MS + 100,
        'publish the home',
      );
      if (reply?.ok !== true) this.logger.warn({ msg: 'the notifier did not publish the home', user, reason: reply?.message });
    } catch (error) {
      this.logger.warn({ msg: 'the notifier did not answer a home request', user, reason: (error as Error).message });
    }
  }
}
