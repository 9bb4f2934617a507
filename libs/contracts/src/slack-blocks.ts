/*
 * The part of Slack's Block Kit and mrkdwn deploybot writes — the notifier in its messages, the
 * gateway in its slash-command answers — as plain types, structurally Slack's own (`KnownBlock`
 * of @slack/types), and the escaping every text from outside goes through.
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

/** The "are you sure?" dialog Slack shows before a button's action is sent. */
export interface ConfirmDialog {
  title: PlainText;
  text: Mrkdwn;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface Button {
  type: 'button';
  action_id: string;
  text: PlainText;
  /** Only ever the build id: a click must not carry state (docs/architecture.md §1). */
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters: anything not written by us is escaped. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<@U0123>`: Slack shows the person's name and notifies them. */
export const mention = (userId: string): string => `<@${userId}>`;

/** A link; the URL is ours, only the label is escaped. */
export const link = (url: string, label?: string): string => (label ? `<${url}|${escapeMrkdwn(label)}>` : `<${url}>`);
