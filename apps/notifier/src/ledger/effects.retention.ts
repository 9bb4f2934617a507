import type { DataSource } from 'typeorm';

/**
 * The shortest retention of finished Slack effects that is safe, in days: an event can be
 * delivered again for as long as JetStream keeps it — put off for up to 7 days in EVENTS, then
 * 30 days in the DLQ (`npm run dlq replay`) — plus a day of margin.
 */
export const MIN_EFFECT_DAYS = 38;

/**
 * Deletes the records of Slack posts finished more than `olderThanDays` ago that nothing can ask
 * for again, `batch` rows per statement, until none is left; resolves with how many:
 * - posts made for one event (scope = the event id): that event cannot come back any more;
 * - a build's tracked messages (`build:<id>` / `post:<key>`): where each one is stays in
 *   `notifier.messages`, which every later event of the build reads before it would post.
 * Kept: pending intents (a post that may be in flight), and the build's once-only replies
 * (`build:<id>` / other keys), which a later event of a build still open (a rollback months after
 * it shipped) could ask for again. `notifier.messages` and `notifier.builds` are kept for as
 * long as the build can be acted on.
 */
export async function forgetSlackEffects(db: DataSource, olderThanDays: number, batch = 5_000): Promise<number> {
  if (olderThanDays < MIN_EFFECT_DAYS)
    throw new Error(`Slack effects must be kept at least ${MIN_EFFECT_DAYS} days (asked: ${olderThanDays})`);
  let total = 0;
  for (;;) {
    const [{ n }]: { n: number }[] = await db.query(
      `WITH gone AS (
         DELETE FROM notifier.effects WHERE (scope, effect_key) IN (
           SELECT scope, effect_key FROM notifier.effects
            WHERE state = 'done' AND updated_at < now() - make_interval(days => $1)
              AND (scope NOT LIKE 'build:%' OR effect_key LIKE 'post:%')
            ORDER BY updated_at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [olderThanDays, batch],
    );
    total += n;
    if (n < batch) return total;
  }
}
