/*
 * What the gateway answers a slash command with: Slack shows the HTTP answer's body to the
 * person who typed the command. The part of Block Kit used here, as plain types (structurally
 * Slack's own).
 */

import { type Button, escapeMrkdwn, type Mrkdwn, type PlainText } from '@app/contracts';

export type { Button, ConfirmDialog, Mrkdwn, PlainText } from '@app/contracts';
export { escapeMrkdwn, link, mention } from '@app/contracts';

export type AnswerBlock =
  | { type: 'section'; text: Mrkdwn }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'actions'; block_id?: string; elements: Button[] };

/**
 * The body of a slash command's 200 answer. `ephemeral`: only the person who typed the command
 * sees it, and Slack does not keep it in the conversation's history.
 */
export interface SlashAnswer {
  response_type: 'ephemeral';
  /** Shown when blocks cannot be (notifications, screen readers), and the whole answer when there are none. */
  text: string;
  blocks?: AnswerBlock[];
}

export const plain = (text: string): PlainText => ({ type: 'plain_text', text });
export const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });
export const section = (text: string): AnswerBlock => ({ type: 'section', text: mrkdwn(bounded(text, SECTION_MAX)) });
export const context = (text: string): AnswerBlock => ({ type: 'context', elements: [mrkdwn(bounded(text, SECTION_MAX))] });
/** A time every reader sees in their own time zone (Slack's date formatting), with a UTC fallback. */
export const when = (iso: string): string => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
};

/** Slack refuses a section's text above 3,000 characters. */
export const SECTION_MAX = 3000;

/** Cuts text to `max` characters at a line end where it can, saying that something was left out. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 2);
  const lineEnd = cut.lastIndexOf('\n');
  return `${lineEnd > max / 2 ? cut.slice(0, lineEnd) : cut}\n…`;
}
