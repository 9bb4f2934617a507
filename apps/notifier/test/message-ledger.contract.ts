import { expect, it } from '@jest/globals';
import type { MessageLedger } from '../src/ledger/message-ledger.port';
import { facts } from './build-fixtures';

/** A ledger under test: the port, plus the read a test needs to check a build. */
export type LedgerUnderTest = MessageLedger;

/**
 * What any MessageLedger does, run against the Postgres adapter (message-ledger.int-spec.ts)
 * and the in-memory one (in-memory-ledger.spec.ts), so the fast tests' ledger answers as the
 * real one. The tests share one ledger and run in order.
 */
export function behavesAsTheMessageLedger(ledgerUnderTest: () => LedgerUnderTest): void {
  const me = { holder: 'notifier-a', ms: 30_000 };
  const other = { holder: 'notifier-b', ms: 30_000 };

  it('says an effect is new, then resumed while still pending, then done once completed', async () => {
    const ledger = ledgerUnderTest();
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1', me)).toEqual({ state: 'new' });
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1', me)).toEqual({
      state: 'resumed',
      attempts: 2,
      since: expect.any(Date),
    });
    await ledger.completeEffect('ev-1', 'post:owner:U1', 'ev-1', {
      conversation: 'D0001',
      ts: '1.000100',
      message: { buildId: 'b-1', key: 'owner:U1' },
    });
    expect(await ledger.beginEffect('ev-1', 'post:owner:U1', 'b-1', other)).toEqual({ state: 'done' });
    expect(await ledger.findMessage('b-1', 'owner:U1')).toEqual({ state: 'posted', conversation: 'D0001', ts: '1.000100' });
  });

  it('starts clean after an intent Slack certainly refused was abandoned', async () => {
    const ledger = ledgerUnderTest();
    await ledger.beginEffect('ev-2', 'reply:x', 'b-1', me);
    await ledger.abandonEffect('ev-2', 'reply:x');
    expect(await ledger.beginEffect('ev-2', 'reply:x', 'b-1', other)).toEqual({ state: 'new' });
  });

  it("does not let another try take a live try's pending intent, only one whose claim ran out", async () => {
    const ledger = ledgerUnderTest();
    expect(await ledger.beginEffect('ev-4', 'post:qa:U2', 'b-1', me)).toEqual({ state: 'new' });
    expect(await ledger.beginEffect('ev-4', 'post:qa:U2', 'b-1', other)).toEqual({
      state: 'held',
      by: 'notifier-a',
      until: expect.any(Date),
    });
    expect(await ledger.renewClaim('ev-4', 'post:qa:U2', me)).toBe(true);
    expect(await ledger.renewClaim('ev-4', 'post:qa:U2', other)).toBe(false);
    // the holder resumes its own intent at once (its earlier delivery failed)
    expect(await ledger.beginEffect('ev-4', 'post:qa:U2', 'b-1', me)).toMatchObject({ state: 'resumed', attempts: 2 });
    // a claim that runs out (the holder died) is taken over
    await ledger.renewClaim('ev-4', 'post:qa:U2', { ...me, ms: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(await ledger.beginEffect('ev-4', 'post:qa:U2', 'b-1', other)).toMatchObject({ state: 'resumed', attempts: 3 });
    expect(await ledger.renewClaim('ev-4', 'post:qa:U2', me)).toBe(false);
  });

  it('keeps a build registered once and its progress under lock', async () => {
    const ledger = ledgerUnderTest();
    await ledger.registerBuild(facts({ buildId: 'b-2' }));
    await ledger.registerBuild(facts({ buildId: 'b-2', image: 'changed:1' }));
    const updated = await ledger.updateProgress('b-2', (p) => ({ ...p, approved: true }));
    expect(updated?.facts.image).toBe('registry.example.org/shop:1.2.3');
    expect((await ledger.findBuild('b-2'))?.progress.approved).toBe(true);
    expect(await ledger.updateProgress('b-unknown', (p) => p)).toBeUndefined();
  });

  it('remembers a message that cannot be posted without overwriting one that was', async () => {
    const ledger = ledgerUnderTest();
    await ledger.markUnreachable('b-1', 'owner:U1', 'ev-3', 'not_in_channel');
    await ledger.markUnreachable('b-1', 'channel-status', 'ev-3', 'not_in_channel: invite the bot');
    expect(await ledger.findMessage('b-1', 'owner:U1')).toMatchObject({ state: 'posted' });
    expect(await ledger.findMessage('b-1', 'channel-status')).toEqual({ state: 'unreachable', problem: 'not_in_channel: invite the bot' });
  });
}
