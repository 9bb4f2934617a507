import type { DataSource, EntityManager } from 'typeorm';
import type { BuildFacts, BuildProgress, BuildSnapshot } from '../builds/build-snapshot';
import { initialProgress } from '../builds/build-snapshot';
import { BuildRow, EffectRow, MessageRow } from './ledger.entities';
import type { EffectClaim, EffectResult, EffectStart, LedgerMessage, MessageLedger } from './message-ledger.port';

/**
 * The MessageLedger in Postgres: builds (to render later events), the Slack messages of each
 * build (to edit and thread after a restart), and every post's intent and result (so a
 * redelivered event posts nothing twice). Tested against Postgres by message-ledger.int-spec.ts.
 */
export class PostgresMessageLedger implements MessageLedger {
  constructor(private readonly db: DataSource) {}

  /** Stores BuildRegistered's facts once; a redelivery changes nothing. */
  async registerBuild(facts: BuildFacts): Promise<void> {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(BuildRow)
      .values({ ...facts, progress: initialProgress(), updatedAt: new Date() })
      .orIgnore()
      .execute();
  }

  async findBuild(buildId: string): Promise<BuildSnapshot | undefined> {
    const row = await this.db.getRepository(BuildRow).findOneBy({ buildId });
    return row ? toSnapshot(row) : undefined;
  }

  /**
   * Applies `change` to the build's progress under a row lock, so two replicas handling events
   * of one build cannot lose each other's update. undefined when the build is not registered.
   */
  async updateProgress(buildId: string, change: (progress: BuildProgress) => BuildProgress): Promise<BuildSnapshot | undefined> {
    return this.db.transaction(async (em) => {
      const row = await em.getRepository(BuildRow).findOne({ where: { buildId }, lock: { mode: 'pessimistic_write' } });
      if (!row) return undefined;
      const progress = change(row.progress);
      if (JSON.stringify(progress) !== JSON.stringify(row.progress)) {
        await em.getRepository(BuildRow).update({ buildId }, { progress, updatedAt: new Date() });
      }
      return toSnapshot({ ...row, progress });
    });
  }

  async findMessage(buildId: string, key: string): Promise<LedgerMessage | undefined> {
    const row = await this.db.getRepository(MessageRow).findOneBy({ buildId, messageKey: key });
    if (!row) return undefined;
    if (row.state === 'posted' && row.conversation && row.ts) return { state: 'posted', conversation: row.conversation, ts: row.ts };
    return { state: 'unreachable', problem: row.problem ?? 'unknown' };
  }

  /**
   * Records the intent to post before calling Slack, claimed by `claim` (one statement: a
   * pending intent whose claim ran out or is the caller's own is taken over, counting the try).
   * `held` when another live try holds it; `done` when an earlier delivery posted it already.
   */
  async beginEffect(scope: string, key: string, buildId: string | undefined, claim: EffectClaim): Promise<EffectStart> {
    const rows: { attempts: number; created_at: Date }[] = await this.db.query(
      `INSERT INTO notifier.effects (scope, effect_key, build_id, state, attempts, claimed_by, claimed_until)
       VALUES ($1, $2, $3, 'pending', 1, $4, now() + make_interval(secs => $5))
       ON CONFLICT (scope, effect_key) DO UPDATE
         SET attempts = notifier.effects.attempts + 1, updated_at = now(),
             claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until
         WHERE notifier.effects.state = 'pending'
           AND (notifier.effects.claimed_until IS NULL OR notifier.effects.claimed_until <= now()
                OR notifier.effects.claimed_by = EXCLUDED.claimed_by)
       RETURNING attempts, created_at`,
      [scope, key, buildId ?? null, claim.holder, claim.ms / 1000],
    );
    if (rows.length === 1) {
      const [row] = rows;
      return row.attempts === 1 ? { state: 'new' } : { state: 'resumed', attempts: row.attempts, since: new Date(row.created_at) };
    }
    const held: { state: 'pending' | 'done'; claimed_by: string; claimed_until: Date }[] = await this.db.query(
      `SELECT state, claimed_by, claimed_until FROM notifier.effects WHERE scope = $1 AND effect_key = $2`,
      [scope, key],
    );
    if (held.length === 0) return this.beginEffect(scope, key, buildId, claim); // abandoned in between
    if (held[0].state === 'done') return { state: 'done' };
    return { state: 'held', by: held[0].claimed_by, until: new Date(held[0].claimed_until) };
  }

  async renewClaim(scope: string, key: string, claim: EffectClaim): Promise<boolean> {
    const [{ renewed }]: { renewed: number }[] = await this.db.query(
      `WITH renewed AS (
         UPDATE notifier.effects SET claimed_until = now() + make_interval(secs => $4)
         WHERE scope = $1 AND effect_key = $2 AND state = 'pending' AND claimed_by = $3
         RETURNING 1)
       SELECT count(*)::int AS renewed FROM renewed`,
      [scope, key, claim.holder, claim.ms / 1000],
    );
    return renewed > 0;
  }

  /** Marks the post done and, for a tracked message, remembers where it is — in one transaction. */
  async completeEffect(scope: string, key: string, eventId: string, result: EffectResult): Promise<void> {
    await this.db.transaction(async (em) => {
      await em
        .getRepository(EffectRow)
        .update(
          { scope, effectKey: key },
          { state: 'done', conversation: result.conversation, ts: result.ts ?? null, updatedAt: new Date() },
        );
      if (result.message) {
        await saveMessage(em, {
          buildId: result.message.buildId,
          messageKey: result.message.key,
          state: 'posted',
          conversation: result.conversation,
          ts: result.ts ?? null,
          problem: null,
          eventId,
        });
      }
    });
  }

  /** Forgets an intent Slack certainly did not carry out (it answered with an error), so a retry starts clean. */
  async abandonEffect(scope: string, key: string): Promise<void> {
    await this.db.getRepository(EffectRow).delete({ scope, effectKey: key, state: 'pending' });
  }

  /** Remembers that a message cannot be posted (bot not in the channel, user deactivated), so later events skip it. */
  async markUnreachable(buildId: string, key: string, eventId: string, problem: string): Promise<void> {
    await this.db.query(
      `INSERT INTO notifier.messages (build_id, message_key, state, problem, event_id)
       VALUES ($1, $2, 'unreachable', $3, $4)
       ON CONFLICT (build_id, message_key) DO NOTHING`,
      [buildId, key, problem.slice(0, 1_000), eventId],
    );
  }
}

async function saveMessage(em: EntityManager, row: Omit<MessageRow, 'updatedAt'>): Promise<void> {
  await em.getRepository(MessageRow).upsert({ ...row, updatedAt: new Date() }, ['buildId', 'messageKey']);
}

function toSnapshot(row: BuildRow): BuildSnapshot {
  const { progress, updatedAt: _updatedAt, ...facts } = row;
  return { facts, progress };
}
