/**
 * Headers of a message an operator replayed from the DLQ (`npm run dlq -- replay`). Read by the
 * transport as well as written by the CLI, so this file imports nothing. Stored with the message:
 * renaming one needs a migration.
 */
export const ReplayHeaders = {
  /** `<DLQ stream>:<seq>` of the dead letter it replays. */
  Of: 'Deploybot-Replay-Of',
  /**
   * The service meant to handle it again. A stream's other consumers (deployer and notifier both
   * read EVENTS) ack it without handling it; the owner takes it out of its build's order, which
   * has moved on since the dead letter (its version was recorded as finished when it was dead-lettered).
   */
  For: 'Deploybot-Replay-For',
} as const;
