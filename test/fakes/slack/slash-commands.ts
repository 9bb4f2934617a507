import { createHmac, randomBytes } from 'node:crypto';
import { checkBlocks } from './methods/block-kit-check';
import type { SlashCommandInput, SlashCommandResult } from './slack-fake.types';
import { BOT, type Workspace } from './workspace';

/** Slack waits this long for an app's answer, then shows the person an `operation_timeout` error. */
export const SLASH_COMMAND_TIMEOUT_MS = 3_000;

/**
 * The fields Slack posts for a slash command, in Slack's order
 * (https://docs.slack.dev/interactivity/implementing-slash-commands/#app_command_handling).
 */
export function slashCommandFields(input: Pick<SlashCommandInput, 'user' | 'channel' | 'text' | 'command' | 'teamId'>): URLSearchParams {
  const team = input.teamId ?? BOT.teamId;
  const stamp = `${Date.now()}${randomBytes(4).readUInt32BE(0)}`;
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: team,
    team_domain: BOT.team,
    channel_id: input.channel,
    channel_name: input.channel.startsWith('D') ? 'directmessage' : 'deploys',
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: input.command ?? '/deploybot',
    text: input.text,
    api_app_id: BOT.appId,
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${team}/${stamp}/${randomBytes(12).toString('hex')}`,
    trigger_id: `${stamp}.${randomBytes(8).toString('hex')}`,
  });
}

/** The request Slack makes: form body, `X-Slack-Signature` v0 HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signedSlashCommand(input: SlashCommandInput): { body: string; headers: Record<string, string> } {
  const body = slashCommandFields(input).toString();
  const timestamp = String(Math.floor((input.signedAtMs ?? Date.now()) / 1000));
  const secret = input.badSignature ? `${input.signingSecret}-wrong` : input.signingSecret;
  return {
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      Accept: 'application/json,*/*',
    },
  };
}

/**
 * Plays Slack's part of a slash command: posts the signed request to the app's Request URL and
 * shows the person what the app answered, as Slack does — an `ephemeral` answer (the default) to
 * them alone in that conversation, an `in_channel` one as a message of the conversation, nothing
 * for an empty 200. What Slack would refuse to show is a `failure`: no answer within 3 s, a status
 * other than 200, a body that is not JSON, or blocks Slack's Block Kit checks refuse.
 */
export async function sendSlashCommand(ws: Workspace, input: SlashCommandInput): Promise<SlashCommandResult> {
  const { body, headers } = signedSlashCommand(input);
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(input.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(SLASH_COMMAND_TIMEOUT_MS) });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return { tookMs: Date.now() - started, failure: timedOut ? 'operation_timeout' : `unreachable: ${(error as Error).message}` };
  }
  const text = await response.text();
  const tookMs = Date.now() - started;
  if (response.status !== 200) return { status: response.status, tookMs, failure: `http_status_${response.status}`, raw: text };
  if (text === '') return { status: 200, tookMs };
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Slack shows a plain-text body as an ephemeral message as it is.
    answer = { text };
  }
  return { status: 200, ...showSlashAnswer(ws, input, answer, tookMs) };
}

/**
 * Shows the person what the app answered to their command, as Slack does — over HTTP (the body of
 * a 200) or over Socket Mode (the ack's payload) alike: `ephemeral` to them alone, `in_channel` in
 * the conversation; blocks Slack's Block Kit checks refuse are a `failure`.
 */
export function showSlashAnswer(
  ws: Workspace,
  input: Pick<SlashCommandInput, 'user' | 'channel'>,
  answer: Record<string, unknown>,
  tookMs: number,
): SlashCommandResult {
  const blocks = answer.blocks === undefined ? undefined : checkBlocks(answer.blocks);
  if (blocks && !blocks.ok) return { tookMs, answer, failure: `invalid_blocks: ${blocks.messages.join('; ')}` };
  const shownText = typeof answer.text === 'string' ? answer.text : '';
  const shownBlocks = blocks?.ok && blocks.blocks.length ? { blocks: blocks.blocks } : {};
  const channel = ws.conversationIdOf(input.channel);
  if (answer.response_type === 'in_channel') {
    const ts = ws.nextTs(Date.now());
    ws.addMessage({
      channel,
      ts,
      text: shownText,
      ...shownBlocks,
      user: BOT.userId,
      bot_id: BOT.botId,
      editCount: 0,
      history: [],
      postedAt: Date.now(),
    });
    return { tookMs, answer, shown: { kind: 'in_channel', channel, ts } };
  }
  const messageTs = ws.nextTs(Date.now());
  ws.addEphemeral({
    channel,
    user: input.user,
    text: shownText,
    ...shownBlocks,
    message_ts: messageTs,
    at: Date.now(),
    via: 'slash-command',
  });
  return { tookMs, answer, shown: { kind: 'ephemeral', channel, ts: messageTs } };
}
