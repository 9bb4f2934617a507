/**
 * Slack `action_id`s of deploybot's buttons, shared by the notifier (which renders them)
 * and the gateway (which maps clicks back to inputs). A button's `value` is only the
 * build id — never state.
 *
 * Buttons already posted in Slack keep these ids: renaming one breaks every open message.
 */
export const SlackActions = {
  Approve: 'deploybot.qa.approve',
  Reject: 'deploybot.qa.reject',
  Promote: 'deploybot.owner.promote',
  Close: 'deploybot.owner.close',
  /** Under the reminder that a preview will expire: keep it another `previews.ttl`. */
  Keep: 'deploybot.owner.keep',
  /** On the production announcement of the build that runs in production: go back to the previous release. */
  RollBack: 'deploybot.owner.rollback',
} as const;
export type SlackActionId = (typeof SlackActions)[keyof typeof SlackActions];

export const isSlackActionId = (value: unknown): value is SlackActionId =>
  typeof value === 'string' && (Object.values(SlackActions) as string[]).includes(value);
