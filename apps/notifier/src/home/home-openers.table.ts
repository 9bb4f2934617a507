import type { DataSource } from 'typeorm';

/** Remembers that a person opened the App Home (the latest time only). */
export async function recordHomeOpened(db: DataSource, user: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO notifier.home_openers (user_id, last_opened_at) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET last_opened_at = GREATEST(notifier.home_openers.last_opened_at, EXCLUDED.last_opened_at)`,
    [user, at],
  );
}

/** The people of a build (its QA members and owners, as the ledger registered them) who have opened the App Home. */
export async function homeOpenersOfBuild(db: DataSource, buildId: string): Promise<string[]> {
  const found: Array<{ user_id: string }> = await db.query(
    `SELECT h.user_id FROM notifier.builds b
       JOIN notifier.home_openers h ON b.qa ? h.user_id OR b.owners ? h.user_id
      WHERE b.build_id = $1
      ORDER BY h.user_id`,
    [buildId],
  );
  return found.map((r) => r.user_id);
}
