import { Inject, Injectable, Logger } from '@nestjs/common';
import { MessageSchemas, RejectModalIds, SlackActions } from '@app/contracts';
import { CLOCK } from '../clock';
import type { Clock } from '../clock';
import { GATEWAY_OPTIONS } from '../gateway.options';
import type { GatewayOptions } from '../gateway.options';
import { GatewayMetrics } from '../http-metrics/gateway-metrics';
import { InputPublisher } from '../messaging/input-publisher';
import { clickInput, type ClickInput } from './click-input';
import { SlackClick } from './interaction-parser';
import { RejectModalOpener } from './reject-modal.opener';
import { rejectionInput } from './rejection-input';
import type { RejectSubmission } from './view-submission';

/** What Slack shows the person who clicked when their click could not be taken. */
export interface EphemeralAnswer {
  response_type: 'ephemeral';
  text: string;
}

export const CLICK_NOT_TAKEN: EphemeralAnswer = {
  response_type: 'ephemeral',
  text: 'deploybot could not take your click right now — please try again',
};

/** What Slack shows in a modal that was submitted: errors under its inputs (the modal stays open). */
export interface ViewErrorsAnswer {
  response_action: 'errors';
  errors: Record<string, string>;
}

export const REJECTION_NOT_TAKEN: ViewErrorsAnswer = {
  response_action: 'errors',
  errors: { [RejectModalIds.reasonBlockId]: 'deploybot could not record your rejection right now — please submit again' },
};

/** What became of the clicks of one interaction (or of a submitted modal). */
export type ClicksOutcome =
  /** Stored on JetStream (or the reject modal opened): what follows shows up as message edits by the notifier. */
  | { kind: 'taken' }
  /** A click whose input breaks its contract: nothing published. */
  | { kind: 'invalid'; message: string }
  /** Something the person must fix first (a reason too long): nothing published, Slack shows the answer. */
  | { kind: 'answered'; answer: ViewErrorsAnswer }
  /** JetStream did not take them in time: the person is asked to try again. */
  | { kind: 'not-taken'; answer: EphemeralAnswer | ViewErrorsAnswer };

/**
 * Turns clicks on deploybot's buttons into inputs and publishes them, whatever carried them to the
 * gateway (an HTTP request checked by its signature, or a Socket Mode envelope on the connection the
 * app token opened). Never throws: the transport answers Slack from the outcome within its 3 s.
 */
@Injectable()
export class SlackInteractions {
  private readonly logger = new Logger('SlackInteractions');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly publisher: InputPublisher,
    private readonly modals: RejectModalOpener,
  ) {}

  async take(clicks: SlackClick[]): Promise<ClicksOutcome> {
    const started = this.clock.nowMs();
    const reject = clicks.length === 1 && clicks[0].actionId === SlackActions.Reject ? clicks[0] : undefined;
    if (reject?.origin.triggerId && (await this.openRejectModal(reject, reject.origin.triggerId))) return { kind: 'taken' };
    // What is left of Slack's 3 s after a modal that could not be opened (at least half a second).
    const publishMs = Math.max(500, this.options.slackPublishTimeoutMs - (this.clock.nowMs() - started));
    const now = new Date(this.clock.nowMs());
    return this.publish(
      clicks.map((click) => clickInput(click, now)),
      publishMs,
      CLICK_NOT_TAKEN,
    );
  }

  /**
   * The reject modal submitted: the reason the person must fix is answered in the modal; otherwise the
   * rejection is published as the one-click reject's input, with the reason, and the modal closes.
   */
  async submit(view: { ok: true; submission: RejectSubmission } | { ok: 'fix'; errors: Record<string, string> }): Promise<ClicksOutcome> {
    if (view.ok === 'fix') return { kind: 'answered', answer: { response_action: 'errors', errors: view.errors } };
    const input = rejectionInput(view.submission, new Date(this.clock.nowMs()));
    return this.publish([input], this.options.slackPublishTimeoutMs, REJECTION_NOT_TAKEN);
  }

  /** Asks the notifier to open the modal; false (logged) when it did not: the click then rejects without a reason. */
  private async openRejectModal(click: SlackClick, triggerId: string): Promise<boolean> {
    const { channel, messageTs } = click.origin;
    const metadata = { buildId: click.buildId, ...(channel ? { channel } : {}), ...(messageTs ? { messageTs } : {}) };
    const result = await this.modals.open({ triggerId, user: click.user.id, metadata }, this.options.rejectModalTimeoutMs);
    GatewayMetrics.rejectModals.inc({ result: result.opened ? 'opened' : 'fallback' });
    if (result.opened) {
      this.logger.log({ msg: 'reject modal opened', buildId: click.buildId, correlationId: click.buildId, user: click.user.id });
      return true;
    }
    this.logger.warn({
      msg: 'could not open the reject modal; rejecting without a reason',
      buildId: click.buildId,
      correlationId: click.buildId,
      reason: result.why,
    });
    return false;
  }

  private async publish(inputs: ClickInput[], deadlineMs: number, notTaken: EphemeralAnswer | ViewErrorsAnswer): Promise<ClicksOutcome> {
    for (const input of inputs) {
      const valid = MessageSchemas[input.subject].safeParse(input.envelope);
      if (!valid.success) return { kind: 'invalid', message: valid.error.issues.map((i) => i.message).join('; ') };
    }
    try {
      await Promise.all(inputs.map((input) => this.publisher.publish('slack', input.subject, input.envelope, deadlineMs)));
    } catch (error) {
      this.logger.warn({ msg: 'could not publish a Slack click; asked the user to try again', reason: (error as Error).message });
      return { kind: 'not-taken', answer: notTaken };
    }
    for (const { envelope } of inputs) {
      this.logger.log({
        msg: 'click accepted',
        type: envelope.type,
        id: envelope.id,
        buildId: envelope.data.buildId,
        correlationId: envelope.correlationId,
        user: envelope.data.user,
      });
    }
    return { kind: 'taken' };
  }
}
