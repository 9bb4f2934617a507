import type { BuildFacts, BuildProgress, BuildSnapshot } from '../src/builds/build-snapshot';
import { initialProgress } from '../src/builds/build-snapshot';
import type { EffectClaim, EffectResult, EffectStart, LedgerMessage, MessageLedger } from '../src/ledger/message-ledger.port';

/** One post's intent as the ledger keeps it. */
export interface FakeEffect {
  state: 'pending' | 'done';
  attempts: number;
  buildId?: string;
  conversation?: string;
  ts?: string;
  createdAt: Date;
  claimedBy?: string;
  claimedUntil?: number;
}

type LedgerCall = keyof MessageLedger;

/** A tracked message as the adapter's `messages` row holds it. */
interface MessageRow {
  state: 'posted' | 'unreachable';
  conversation?: string;
  ts?: string;
  problem?: string;
  eventId: string;
}

/**
 * A hand-written, in-memory MessageLedger for fast tests of the effect runner and the flows:
 * the same answers as the Postgres adapter (test/message-ledger.contract.ts runs against both),
 * plus what a test needs to look inside and to make a write fail as a database outage would.
 */
export class InMemoryLedger implements MessageLedger {
  private readonly builds = new Map<string, BuildSnapshot>();
  private readonly tracked = new Map<string, MessageRow>();
  private readonly intents = new Map<string, FakeEffect>();
  private readonly failures: LedgerCall[] = [];

  async registerBuild(facts: BuildFacts): Promise<void> {
    this.failIfPlanned('registerBuild');
    if (!this.builds.has(facts.buildId)) this.builds.set(facts.buildId, { facts: structuredClone(facts), progress: initialProgress() });
  }

  async findBuild(buildId: string): Promise<BuildSnapshot | undefined> {
    const build = this.builds.get(buildId);
    return build && structuredClone(build);
  }

  async updateProgress(buildId: string, change: (progress: BuildProgress) => BuildProgress): Promise<BuildSnapshot | undefined> {
    this.failIfPlanned('updateProgress');
    const build = this.builds.get(buildId);
    if (!build) return undefined;
    const updated = { ...build, progress: change(structuredClone(build.progress)) };
    this.builds.set(buildId, updated);
    return structuredClone(updated);
  }

  async findMessage(buildId: string, key: string): Promise<LedgerMessage | undefined> {
    this.failIfPlanned('findMessage');
    const row = this.tracked.get(messageId(buildId, key));
    if (!row) return undefined;
    if (row.state === 'posted' && row.conversation && row.ts) return { state: 'posted', conversation: row.conversation, ts: row.ts };
    return { state: 'unreachable', problem: row.problem ?? 'unknown' };
  }

  async beginEffect(scope: string, key: string, buildId: string | undefined, claim: EffectClaim): Promise<EffectStart> {
    this.failIfPlanned('beginEffect');
    const existing = this.intents.get(effectId(scope, key));
    const claimed = { claimedBy: claim.holder, claimedUntil: Date.now() + claim.ms };
    if (!existing) {
      this.intents.set(effectId(scope, key), {
        state: 'pending',
        attempts: 1,
        ...(buildId ? { buildId } : {}),
        createdAt: new Date(),
        ...claimed,
      });
      return { state: 'new' };
    }
    if (existing.state === 'done') return { state: 'done' };
    if (existing.claimedBy && existing.claimedBy !== claim.holder && (existing.claimedUntil ?? 0) > Date.now())
      return { state: 'held', by: existing.claimedBy, until: new Date(existing.claimedUntil!) };
    existing.attempts += 1;
    Object.assign(existing, claimed);
    return { state: 'resumed', attempts: existing.attempts, since: existing.createdAt };
  }

  async renewClaim(scope: string, key: string, claim: EffectClaim): Promise<boolean> {
    this.failIfPlanned('renewClaim');
    const intent = this.intents.get(effectId(scope, key));
    if (intent?.state !== 'pending' || intent.claimedBy !== claim.holder) return false;
    intent.claimedUntil = Date.now() + claim.ms;
    return true;
  }

  async completeEffect(scope: string, key: string, eventId: string, result: EffectResult): Promise<void> {
    this.failIfPlanned('completeEffect');
    const intent = this.intents.get(effectId(scope, key));
    if (intent) Object.assign(intent, { state: 'done', conversation: result.conversation, ...(result.ts ? { ts: result.ts } : {}) });
    if (result.message) {
      const { buildId, key: messageKey } = result.message;
      this.tracked.set(messageId(buildId, messageKey), {
        state: 'posted',
        conversation: result.conversation,
        ...(result.ts ? { ts: result.ts } : {}),
        eventId,
      });
    }
  }

  async abandonEffect(scope: string, key: string): Promise<void> {
    this.failIfPlanned('abandonEffect');
    if (this.intents.get(effectId(scope, key))?.state === 'pending') this.intents.delete(effectId(scope, key));
  }

  async markUnreachable(buildId: string, key: string, eventId: string, problem: string): Promise<void> {
    this.failIfPlanned('markUnreachable');
    const id = messageId(buildId, key);
    if (!this.tracked.has(id)) this.tracked.set(id, { state: 'unreachable', problem: problem.slice(0, 1_000), eventId });
  }

  /** The next call of `call` throws, as when the database is unreachable (nothing is written). */
  failNext(call: LedgerCall): void {
    this.failures.push(call);
  }

  /** A post's intent, as the ledger keeps it. */
  effect(scope: string, key: string): FakeEffect | undefined {
    return this.intents.get(effectId(scope, key));
  }

  /** Every intent, keyed `<scope>/<key>`. */
  effects(): Record<string, FakeEffect> {
    return Object.fromEntries(this.intents);
  }

  private failIfPlanned(call: LedgerCall): void {
    const index = this.failures.indexOf(call);
    if (index < 0) return;
    this.failures.splice(index, 1);
    throw new Error(`ledger ${call} failed: connection terminated unexpectedly (in-memory ledger told to fail)`);
  }
}

const effectId = (scope: string, key: string) => `${scope}/${key}`;
const messageId = (buildId: string, key: string) => `${buildId}\u0000${key}`;
