import { z } from 'zod';

/** Slack user ids: `U…` (or `W…` on Enterprise Grid). */
export const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id like U0123ABCD');
/** Slack conversation ids: public `C…`, private `G…`, direct `D…`. */
export const SlackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'expected a Slack channel id like C0123ABCD');

export const BuildType = z.enum(['branch', 'tag']);
export type BuildType = z.infer<typeof BuildType>;

export const Environment = z.enum(['preview', 'production']);
export type Environment = z.infer<typeof Environment>;

export const BuildId = z.string().min(1).max(100);

/** What a person asked for; used in refusals and the audit trail. */
export const ActionKind = z.enum(['approve', 'reject', 'promote', 'close', 'keep', 'rollback']);
export type ActionKind = z.infer<typeof ActionKind>;

/** Where a Slack click came from, so a refusal can be answered in the same place. */
export const SlackOrigin = z.object({
  channel: z.string().optional(),
  messageTs: z.string().optional(),
  responseUrl: z.string().optional(),
  triggerId: z.string().optional(),
});
export type SlackOrigin = z.infer<typeof SlackOrigin>;
