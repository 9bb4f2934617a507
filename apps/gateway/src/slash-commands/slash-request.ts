import { SlackUserId } from '@app/contracts';
import type { BodyFields } from '../http/request-body';
import { quote } from '../http/quote';

/**
 * The fields of Slack's slash-command request that deploybot reads
 * (https://docs.slack.dev/interactivity/implementing-slash-commands/#app_command_handling):
 * form-encoded `command`, `text`, `user_id`, `channel_id`, `response_url`, `trigger_id`, `team_id`, …
 */
export interface SlashRequest {
  /** The command as the app is configured (`/deploybot`): usage lines repeat it. */
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId?: string;
  teamId?: string;
  responseUrl?: string;
  triggerId?: string;
}

export type SlashRequestRead = { ok: true; request: SlashRequest } | { ok: false; message: string };

/** Slack checks connectivity with `ssl_check=1` (unsigned, nothing else to do): answered 200. */
export const isSslCheck = (fields: BodyFields): boolean => fields.ssl_check === '1';

/**
 * Reads a signed slash-command request. A missing `command` or a `user_id` that is not a Slack
 * user is not a person's typo but a request Slack would not send: refused with a reason.
 * Whatever the person typed (`text`) is read later, and never refused.
 */
export function readSlashRequest(fields: BodyFields): SlashRequestRead {
  const one = (name: string): string | undefined => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  const command = one('command');
  if (!command?.startsWith('/')) return { ok: false, message: 'command: expected the slash command, e.g. /deploybot' };
  const userId = one('user_id') ?? '';
  if (!SlackUserId.safeParse(userId).success) return { ok: false, message: `user_id: ${quote(userId)} is not a Slack user id` };
  const optional = (name: string, key: keyof SlashRequest) => {
    const value = one(name);
    return value ? { [key]: value } : {};
  };
  return {
    ok: true,
    request: {
      command,
      text: one('text') ?? '',
      userId,
      ...optional('user_name', 'userName'),
      ...optional('channel_id', 'channelId'),
      ...optional('team_id', 'teamId'),
      ...optional('response_url', 'responseUrl'),
      ...optional('trigger_id', 'triggerId'),
    },
  };
}
