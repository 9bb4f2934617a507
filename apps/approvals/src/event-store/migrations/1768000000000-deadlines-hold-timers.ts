import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deadlines` also holds the builds' timers (TimerScheduled: a preview's expiry and the reminder
 * before it, approval reminders and expiry). Same row, same scheduler, same once-only firing:
 * `attempt_id` is the timer id (`<build>:<kind>:<n>`).
 */
export class DeadlinesHoldTimers1768000000000 implements MigrationInterface {
  name = 'DeadlinesHoldTimers1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE approvals.deadlines DROP CONSTRAINT deadlines_kind_check`);
    await q.query(`
      ALTER TABLE approvals.deadlines ADD CONSTRAINT deadlines_kind_check CHECK (kind IN (
        'preview', 'production', 'teardown',
        'preview-reminder', 'preview-expiry', 'qa-reminder', 'owner-reminder', 'approval-expiry'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM approvals.deadlines WHERE kind NOT IN ('preview', 'production', 'teardown')`);
    await q.query(`ALTER TABLE approvals.deadlines DROP CONSTRAINT deadlines_kind_check`);
    await q.query(
      `ALTER TABLE approvals.deadlines ADD CONSTRAINT deadlines_kind_check CHECK (kind IN ('preview', 'production', 'teardown'))`,
    );
  }
}
