import { describe, expect, it } from '@jest/globals';
import { nextDecisionAt } from './next-decision';

describe('nextDecisionAt', () => {
  const policy = { failFastMs: 30_000 };

  it('is the deadline while no container is failing', () => {
    expect(nextDecisionAt({ failingSince: new Map() }, { deadline: 300_000 }, policy)).toBe(300_000);
  });

  it('is when the container failing longest will have failed for the fail-fast time', () => {
    const failingSince = new Map([
      ['pod-a/app', 20_000],
      ['pod-b/app', 10_000],
    ]);
    expect(nextDecisionAt({ failingSince }, { deadline: 300_000 }, policy)).toBe(40_000);
  });

  it('is the deadline when that comes first', () => {
    expect(nextDecisionAt({ failingSince: new Map([['pod-a/app', 290_000]]) }, { deadline: 300_000 }, policy)).toBe(300_000);
  });
});
