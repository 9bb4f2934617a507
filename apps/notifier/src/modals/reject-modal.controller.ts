import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { OpenRejectModalRequest, type OpenRejectModalReply, Subjects } from '@app/contracts';
import { describeIssues } from '@app/platform';
import { SlackCallFailed } from '../slack/slack-call-failed';
import { SlackReachability } from '../slack/slack-reachability';
import { SLACK_VIEWS, type SlackViews } from '../slack/slack-views.port';
import { rejectModalView } from './reject-modal.view';

/**
 * Opens the reject modal for the gateway (core NATS request/reply, Subjects.OpenRejectModal): the
 * gateway takes the Reject click, the notifier — the one service that calls Slack's Web API — calls
 * `views.open` with the click's trigger id and answers whether the modal is open. Nothing is stored:
 * a modal that could not be opened is the gateway's to fall back on (a reject without a reason),
 * and a trigger id is spent after 3 s, so there is nothing to retry.
 */
@Controller()
export class RejectModalController {
  private readonly logger = new Logger('RejectModal');

  constructor(
    @Inject(SLACK_VIEWS) private readonly views: SlackViews,
    private readonly reachability: SlackReachability,
  ) {}

  @MessagePattern<string>(Subjects.OpenRejectModal)
  async open(@Payload() data: unknown): Promise<OpenRejectModalReply> {
    const request = OpenRejectModalRequest.safeParse(data);
    if (!request.success) return { ok: false, message: describeIssues(request.error, '(request)').join('; ') };
    const { triggerId, user, metadata } = request.data;
    // While Slack is known to be down a call would only spend the gateway's 3 s.
    if (!this.reachability.reachable) return { ok: false, message: 'Slack is unreachable' };
    try {
      const { viewId } = await this.views.open(triggerId, rejectModalView(metadata));
      this.reachability.answered();
      this.logger.log({ msg: 'reject modal opened', buildId: metadata.buildId, correlationId: metadata.buildId, user, viewId });
      return { ok: true, viewId };
    } catch (error) {
      if (!(error instanceof SlackCallFailed)) throw error;
      // Not told to SlackReachability: a views.open that ran past its short timeout is no outage.
      this.logger.warn({
        msg: 'could not open the reject modal',
        buildId: metadata.buildId,
        correlationId: metadata.buildId,
        user,
        error: error.code,
      });
      return { ok: false, message: `views.open failed: ${error.code}` };
    }
  }
}
