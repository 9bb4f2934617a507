import { Injectable, Logger } from '@nestjs/common';
import { SlackInteractions } from '../slack/slack-interactions.service';
import { SlackEvents } from '../slack-events/slack-events.service';
import { SlashCommands } from '../slash-commands/slash-commands.service';
import { routeEnvelope, SocketEnvelope } from './socket-envelope';
import { SocketModeMetrics } from './socket-mode.metrics';

/** What the gateway acknowledges an envelope with: nothing, or the answer Slack shows (as an HTTP answer's body). */
export type AckPayload = Record<string, unknown> | undefined;

/**
 * Serves Socket Mode envelopes with the handlers of the HTTP routes: a click is taken by
 * SlackInteractions, a slash command answered by SlashCommands, an event served by SlackEvents, so validation, inputs and
 * authorization (approvals') are the same whichever way Slack came. What HTTP refuses with a 4xx
 * (a payload Slack would not send) is logged and acknowledged empty: an unacknowledged envelope
 * would only be sent again. Resolves within Slack's 3 s (the handlers' own deadlines); never throws.
 */
@Injectable()
export class SocketEnvelopes {
  private readonly logger = new Logger('SlackSocketMode');

  constructor(
    private readonly interactions: SlackInteractions,
    private readonly commands: SlashCommands,
    private readonly events: SlackEvents,
  ) {}

  async handle(envelope: SocketEnvelope): Promise<AckPayload> {
    const route = routeEnvelope(envelope);
    try {
      const { result, payload } = await this.serve(envelope, route);
      SocketModeMetrics.envelopes.inc({ type: envelope.type, result });
      return payload;
    } catch (error) {
      // The handlers do not throw; should one, Slack still gets its ack (and the person nothing).
      SocketModeMetrics.envelopes.inc({ type: envelope.type, result: 'error' });
      this.logger.error({
        msg: 'could not serve a Socket Mode envelope',
        type: envelope.type,
        envelopeId: envelope.envelopeId,
        err: error,
      });
      return undefined;
    }
  }

  private async serve(envelope: SocketEnvelope, route: ReturnType<typeof routeEnvelope>): Promise<{ result: string; payload: AckPayload }> {
    switch (route.kind) {
      case 'interaction': {
        if (!route.parse.ok) return this.refused(envelope, route.parse.message);
        const parse = route.parse;
        const outcome =
          parse.type === 'view_submission' ? await this.interactions.submit(parse.view) : await this.interactions.take(parse.clicks);
        if (outcome.kind === 'invalid') return this.refused(envelope, outcome.message);
        if (outcome.kind === 'not-taken') return { result: 'not-taken', payload: { ...outcome.answer } };
        if (outcome.kind === 'answered') return { result: 'answered', payload: { ...outcome.answer } };
        return { result: 'taken', payload: undefined };
      }
      case 'slash-command': {
        if (!route.read.ok) return this.refused(envelope, route.read.message);
        return { result: 'answered', payload: { ...(await this.commands.answer(route.read.request)) } };
      }
      case 'event':
        // app_home_opened asks the notifier for the person's Home; every event is acked at once.
        this.events.take(envelope.payload);
        return { result: route.eventType === 'app_home_opened' ? 'taken' : 'ignored', payload: undefined };
      case 'ignored':
        this.logger.warn({ msg: 'Socket Mode envelope ignored', envelopeId: envelope.envelopeId, reason: route.reason });
        return { result: 'ignored', payload: undefined };
      default: {
        const _exhaustive: never = route;
        return _exhaustive;
      }
    }
  }

  private refused(envelope: SocketEnvelope, message: string): { result: string; payload: AckPayload } {
    this.logger.warn({ msg: 'Socket Mode envelope refused', type: envelope.type, envelopeId: envelope.envelopeId, problem: message });
    return { result: 'refused', payload: undefined };
  }
}
