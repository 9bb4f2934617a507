import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The notifier's message ledger: builds, the Slack messages of each, and every post's intent/result. */
export class CreateLedger1764000000000 implements MigrationInterface {
  name = 'CreateLedger1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS notifier`);
    await q.query(`
      CREATE TABLE notifier.builds (
        build_id text PRIMARY KEY,
        project text NOT NULL,
        project_name text NOT NULL,
        type text NOT NULL CHECK (type IN ('branch', 'tag')),
        target text NOT NULL,
        image text NOT NULL,
        preview_url text NOT NULL,
        production_url text NOT NULL,
        channel text NOT NULL,
        qa jsonb NOT NULL,
        owners jsonb NOT NULL,
        approvals_required int NOT NULL,
        progress jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notifier.messages (
        build_id text NOT NULL,
        message_key text NOT NULL,
        state text NOT NULL CHECK (state IN ('posted', 'unreachable')),
        conversation text,
        ts text,
        problem text,
        event_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (build_id, message_key),
        CHECK (state <> 'posted' OR (conversation IS NOT NULL AND ts IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE notifier.effects (
        scope text NOT NULL,
        effect_key text NOT NULL,
        build_id text,
        state text NOT NULL CHECK (state IN ('pending', 'done')),
        attempts int NOT NULL DEFAULT 1,
        conversation text,
        ts text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, effect_key)
      )`);
    await q.query(`CREATE INDEX effects_pending_idx ON notifier.effects (updated_at) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifier.effects`);
    await q.query(`DROP TABLE notifier.messages`);
    await q.query(`DROP TABLE notifier.builds`);
  }
}
