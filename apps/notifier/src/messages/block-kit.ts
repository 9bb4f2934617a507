/*
 * The part of Slack's Block Kit deploybot renders, as plain types. They are structurally
 * Slack's own (`KnownBlock` of @slack/types); the Slack adapter hands them to the WebClient,
 * which type-checks them against the real definitions.
 */

import type { Button, Mrkdwn, PlainText } from '@app/contracts';

export type { Button, ConfirmDialog, Mrkdwn, PlainText } from '@app/contracts';

export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}

export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Button[];
}

export type KnownBlock = SectionBlock | ContextBlock | ActionsBlock;

/** A message as deploybot sends it: blocks for people, `text` for notifications and screen readers. */
export interface OutgoingMessage {
  text: string;
  blocks?: KnownBlock[];
}

export const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const fields = (...items: string[]): SectionBlock => ({
  type: 'section',
  fields: items.map((text) => ({ type: 'mrkdwn', text })),
});
export const context = (...items: string[]): ContextBlock => ({
  type: 'context',
  elements: items.map((text) => ({ type: 'mrkdwn', text })),
});
export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: true });
