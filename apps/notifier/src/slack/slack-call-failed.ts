/**
 * Why a Slack call failed, as far as retrying is concerned:
 * - `unavailable`: Slack cannot be reached or is overloaded (connection refused, timeouts, 5xx,
 *   429, `internal_error`, `service_unavailable`…): the call works once Slack is back, however
 *   long that takes, so the event waits for it (docs/slack.md, "When Slack is down").
 * - `transient`: an answer deploybot does not know (a new error code, an odd reply); retried a
 *   few times, then dead-lettered.
 * - `setup`: the bot's token, scopes or API URL are wrong; nothing works until an operator fixes them.
 * - `target`: this channel or person cannot be reached (not invited, archived, deactivated).
 * - `content`: Slack refused what deploybot built (a bug).
 */
export type SlackFailureKind = 'unavailable' | 'transient' | 'setup' | 'target' | 'content';

/** A failed Slack Web API call, classified; the message says what to fix. */
export class SlackCallFailed extends Error {
  constructor(
    readonly method: string,
    /** Slack's error code (`not_in_channel`), or `request_error` / `rate_limited` / `http_<status>`. */
    readonly code: string,
    readonly kind: SlackFailureKind,
    /** true when Slack may have carried out the call even though we saw an error (a timeout, a dropped connection). */
    readonly maybeDelivered: boolean,
    readonly hint: string,
  ) {
    super(`Slack ${method} failed: ${code} — ${hint}`);
    this.name = 'SlackCallFailed';
  }

  /** Retrying cannot help: a person has to fix something (or it is a bug). */
  get permanent(): boolean {
    return this.kind !== 'transient' && this.kind !== 'unavailable';
  }

  /** Slack is down or overloaded: worth waiting for as long as the outage lasts. */
  get unavailable(): boolean {
    return this.kind === 'unavailable';
  }
}

const SETUP_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
  'ekm_access_denied',
]);
const TARGET_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'user_not_in_channel',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
]);
/**
 * Slack's own "we are in trouble" answers (HTTP 200, `ok: false`): retried as long as the outage
 * lasts. `team_added_to_org`: the workspace is being migrated and the API is intermittently down.
 */
const UNAVAILABLE_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'ratelimited',
  'request_timeout',
  'team_added_to_org',
]);
/**
 * Per Slack's documentation some aspect of the call may have succeeded before these were raised:
 * a post answered so may be in the channel, so its retry looks for it first.
 */
const MAYBE_CARRIED_OUT = new Set(['internal_error', 'fatal_error']);
const CONTENT_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_arguments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
]);

/**
 * Classifies a Slack platform error code (`{ ok: false, error }`). Such an answer means Slack
 * did nothing (not delivered), except for the few codes after which Slack says part of the call
 * may have happened. Unknown codes are treated as transient: the transport bounds the retries
 * and dead-letters the event after the last one.
 */
export function classifyPlatformError(method: string, code: string, where: string): SlackCallFailed {
  const kind: SlackFailureKind = UNAVAILABLE_ERRORS.has(code)
    ? 'unavailable'
    : SETUP_ERRORS.has(code)
      ? 'setup'
      : TARGET_ERRORS.has(code)
        ? 'target'
        : CONTENT_ERRORS.has(code)
          ? 'content'
          : 'transient';
  return new SlackCallFailed(method, code, kind, MAYBE_CARRIED_OUT.has(code), hintFor(code, kind, where));
}

/** What an operator should do about an error in `where` (a channel or user id). */
export function hintFor(code: string, kind: SlackFailureKind, where: string): string {
  switch (code) {
    case 'not_in_channel':
      return `invite the bot to channel ${where}: open it in Slack and type /invite @deploybot`;
    case 'channel_not_found':
      return `channel ${where} does not exist or is private without the bot: check "channel" of the project in DEPLOYBOT_CONFIG and /invite @deploybot there`;
    case 'is_archived':
      return `channel ${where} is archived: unarchive it or set another "channel" for the project in DEPLOYBOT_CONFIG`;
    case 'missing_scope':
      return 'the bot token lacks a scope: add chat:write and im:write under "OAuth & Permissions" of the Slack app, reinstall it and update SLACK_BOT_TOKEN';
    default:
      break;
  }
  switch (kind) {
    case 'setup':
      return 'Slack does not accept SLACK_BOT_TOKEN: reinstall the app to the workspace and set SLACK_BOT_TOKEN to its "Bot User OAuth Token" (xoxb-…)';
    case 'target':
      return `${where} cannot receive this message: check the channel/people of the project in DEPLOYBOT_CONFIG`;
    case 'content':
      return 'Slack refused a message deploybot built: this is a deploybot bug, please report it with this log line';
    case 'unavailable':
      return 'Slack cannot be reached or is overloaded; the event waits until Slack answers again (SLACK_OUTAGE_MAX_HOURS at most)';
    case 'transient':
      return 'Slack answered in a way deploybot does not know; the event is retried with backoff';
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}
