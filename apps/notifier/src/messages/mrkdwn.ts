/*
 * Slack's mrkdwn syntax. Anything that comes from outside (an image name, a failure reason)
 * is escaped, so it cannot turn into a mention or a link.
 */

import { escapeMrkdwn as escape, link, mention } from '@app/contracts';

export { escape, link, mention };

export const mentionAll = (userIds: readonly string[]): string => (userIds.length ? userIds.map(mention).join(', ') : 'nobody');

/** Inline code, with backticks removed so the text cannot break out of it. */
export const code = (text: string): string => `\`${escape(text.replace(/`/g, "'"))}\``;

/** Slack caps a section's text at 3000 characters; failure reasons can be long. */
export const clip = (text: string, max = 500): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * What a person wrote (a rejection's reason), shown as their words: escaped (no mention, link or
 * `<!here>` can come out of it), on one line, clipped to 500 characters, in quotation marks.
 */
export const quoted = (text: string): string => `“${escape(clip(text.replace(/\s*\n\s*/g, ' ').trim()))}”`;

/**
 * `text` escaped, with `@<user id>` turned into a mention for the ids in `people` only (as
 * approvals writes people into a refusal): anything else stays literal text.
 */
export function escapeWithMentions(text: string, people: readonly string[] = []): string {
  return people.reduce(
    (escaped, id) => escaped.replace(new RegExp(`(?<![\\w@<])@${regexSafe(id)}(?![A-Za-z0-9])`, 'g'), mention(id)),
    escape(text),
  );
}

const regexSafe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
