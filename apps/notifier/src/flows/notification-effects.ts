import type { OutgoingMessage } from '../messages/block-kit';

/** Keys of the messages the ledger keeps per build; persisted — renaming one needs a migration. */
export const MessageKeys = {
  channelStatus: 'channel-status',
  owner: (user: string) => `owner:${user}`,
  qa: (user: string) => `qa:${user}`,
  /** The reply in the status message's thread that follows one production attempt, "deploying…" to its end. */
  production: (attempt: number) => `production:${attempt}`,
  /** The reminder under an owner's DM that the preview expires at `expiresAt` (with **Keep**), edited once kept or ended. */
  expiryReminder: (user: string, expiresAt: string) => `expiry-reminder:${user}:${expiresAt}`,
} as const;

/**
 * What Slack should show after an event, decided by the pure planner and carried out by the
 * effect runner. Each kind says how it stays exactly-once:
 */
export type NotificationEffect =
  /**
   * A tracked message: posted once per build (then edited in place); `to` is a channel or user
   * id — or, with `under`, a reply in the thread of that tracked message (`broadcast`: also to
   * the channel), which must exist first.
   */
  | { kind: 'show'; message: string; to: string; content: OutgoingMessage; under?: string; broadcast?: boolean }
  /** Edit a tracked message if it was posted (a DM not posted yet renders the current state when it is). */
  | { kind: 'edit'; message: string; content: OutgoingMessage }
  /**
   * A thread reply under a tracked message, once per event (`once: 'build'`: once per build,
   * whichever event asks first). The parent must exist: without it the event is retried.
   */
  | { kind: 'reply'; key: string; under: string; content: OutgoingMessage; broadcast?: boolean; once?: 'event' | 'build' }
  /** Shown to one person only: in `channel` when given (and possible), else as a DM. */
  | { kind: 'ephemeral'; key: string; user: string; channel?: string; content: OutgoingMessage };
