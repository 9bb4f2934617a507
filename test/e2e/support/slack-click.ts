import { createHmac, randomBytes } from 'node:crypto';
import { SlackActions, type SlackActionId } from '@app/contracts';

/** One person clicking one of deploybot's buttons, as Slack reports it. */
export interface SlackClickInput {
  /** Slack user id of whoever clicked. */
  user: string;
  /** Which button: an action id from SlackActions. */
  actionId: SlackActionId;
  /** The button's value: the build id. */
  buildId: string;
  /** Where the button was: a DM (D…) or channel id, and that message's ts. */
  channel: string;
  messageTs: string;
  signingSecret: string;
  /** Sign with a wrong secret, as an attacker without it would. */
  badSignature?: boolean;
  /** Defaults to a fresh one per click (Slack gives every click its own action_ts). */
  actionTs?: string;
  /** The button is on an ephemeral message (a slash command's answer): Slack sends no `message` then. */
  ephemeral?: boolean;
}

const BUTTON_TEXT: Record<SlackActionId, string> = {
  [SlackActions.Approve]: 'Approve',
  [SlackActions.Reject]: 'Reject',
  [SlackActions.Promote]: 'Deploy to production',
  [SlackActions.Close]: 'Close',
  [SlackActions.Keep]: 'Keep',
  [SlackActions.RollBack]: 'Roll back',
};

/**
 * A `block_actions` payload shaped like the ones Slack sends for a button in a bot message
 * (see /work/shared/fixtures/slack/interactions/block_actions.*.json).
 */
export function blockActionsPayload(input: SlackClickInput): Record<string, unknown> {
  const actionTs =
    input.actionTs ?? `${Math.floor(Date.now() / 1000)}.${randomBytes(3).readUIntBE(0, 3).toString().padStart(6, '0').slice(0, 6)}`;
  return {
    type: 'block_actions',
    team: { id: 'T0E2E0001', domain: 'deploybot-e2e' },
    user: { id: input.user, username: input.user.toLowerCase(), name: input.user.toLowerCase(), team_id: 'T0E2E0001' },
    api_app_id: 'A0E2E0001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: input.ephemeral === true },
    trigger_id: `${Date.now()}.1.${randomBytes(8).toString('hex')}`,
    channel: { id: input.channel, name: input.channel.startsWith('D') ? 'directmessage' : 'deploys' },
    ...(input.ephemeral ? {} : { message: { type: 'message', ts: input.messageTs, text: 'deploybot message', bot_id: 'B0E2E0001' } }),
    response_url: `https://hooks.slack.com/actions/T0E2E0001/${Date.now()}/${randomBytes(12).toString('hex')}`,
    actions: [
      {
        action_id: input.actionId,
        block_id: input.actionId.startsWith('deploybot.qa') ? 'qa-actions' : 'owner-actions',
        text: { type: 'plain_text', text: BUTTON_TEXT[input.actionId], emoji: true },
        value: input.buildId,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

/** The request Slack makes: form body `payload=<json>`, signed with v0 HMAC-SHA256. */
export function signedInteraction(input: SlackClickInput): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(input)) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = input.badSignature ? `${input.signingSecret}-wrong` : input.signingSecret;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': signature,
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    },
  };
}
