import { rows, type SqlExecutor } from '../event-store/sql-executor';

/**
 * The shortest retention of processed-input records that is safe, in days: a message can come
 * back for as long as JetStream keeps it — put off for up to 7 days in INPUTS
 * (RETRY_LATER_MAX_AGE_SECONDS), then 30 days in the DLQ, from where `npm run dlq replay` sends
 * it again under its own id — plus a day of margin. A record younger than that may still be
 * the only thing that makes a redelivery do nothing.
 */
export const MIN_PROCESSED_INPUT_DAYS = 38;

/**
 * Deletes the records of inputs handled more than `olderThanDays` ago, `batch` rows per
 * statement (short transactions, no long lock), until none is left; resolves with how many.
 * A record whose deadline or timer row is still there (a scheduler that recorded the input but
 * had not yet removed the row) is kept: that row would fire the input again.
 * Only bookkeeping goes: every decision the inputs led to is in the event log, which is never touched.
 */
export async function forgetProcessedInputs(executor: SqlExecutor, olderThanDays: number, batch = 5_000): Promise<number> {
  if (olderThanDays < MIN_PROCESSED_INPUT_DAYS)
    throw new Error(`processed inputs must be kept at least ${MIN_PROCESSED_INPUT_DAYS} days (asked: ${olderThanDays})`);
  let total = 0;
  for (;;) {
    const [{ n }] = await rows<{ n: number }>(
      executor,
      `WITH gone AS (
         DELETE FROM approvals.processed_inputs WHERE message_id IN (
           SELECT p.message_id FROM approvals.processed_inputs p
            WHERE p.handled_at < now() - make_interval(days => $1)
              AND NOT EXISTS (SELECT 1 FROM approvals.deadlines d
                               WHERE p.message_id IN ('timer:' || d.attempt_id, 'deadline:' || d.attempt_id))
            ORDER BY p.handled_at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [olderThanDays, batch],
    );
    total += n;
    if (n < batch) return total;
  }
}
