import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who is carrying out a pending effect, and until when (EffectClaim): a live try's intent is no
 * longer taken for an abandoned one. Intents written before this migration have no claim and are
 * resumed as before.
 */
export class ClaimEffects1766000000000 implements MigrationInterface {
  name = 'ClaimEffects1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifier.effects ADD COLUMN claimed_by text, ADD COLUMN claimed_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifier.effects DROP COLUMN claimed_by, DROP COLUMN claimed_until`);
  }
}
