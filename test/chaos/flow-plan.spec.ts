import { describe, expect, it } from '@jest/globals';
import { FAULT_KINDS } from './chaos-options';
import { LANES, nextFault } from './fault-schedule';
import { chaosProjects, planFlows } from './flow-plan';
import { SeededRandom } from './seeded-random';

describe('seeded flows and faults', () => {
  const projects = chaosProjects(10);

  it('plans the same flows for the same seed, spread over every project', () => {
    const a = planFlows(200, projects, new SeededRandom(42));
    const b = planFlows(200, projects, new SeededRandom(42));
    expect(a).toEqual(b);
    expect(new Set(a.map((f) => f.project)).size).toBe(10);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(['ship', 'close', 'reject', 'supersede', 'unpullable']));
  });

  it('gives every flow a target of its own, and a supersede flow two images of that target', () => {
    const flows = planFlows(200, projects, new SeededRandom(3));
    expect(new Set(flows.map((f) => `${f.project}/${f.target}`)).size).toBe(200);
    for (const f of flows.filter((f) => f.kind === 'supersede')) expect(f.images).toHaveLength(2);
    for (const f of flows.filter((f) => f.kind === 'unpullable')) expect(f.images[0]).toContain('does-not-exist');
  });

  it('needs two approvals in every third project', () => {
    expect(projects.map((p) => p.approvals?.required)).toEqual([1, 1, 2, 1, 1, 2, 1, 1, 2, 1]);
  });

  it('draws faults only of enabled kinds, each bounded in time', () => {
    const random = new SeededRandom(9);
    for (let i = 0; i < 500; i++) {
      const lane = Object.values(LANES)[i % 4];
      const step = nextFault(lane, ['kill', 'slack-429', 'kube-refused'], ['notifier-1', 'notifier-2'], random, 5);
      if (!step) {
        expect(lane.some((k) => ['kill', 'slack-429', 'kube-refused'].includes(k))).toBe(false);
        continue;
      }
      expect(['kill', 'slack-429', 'kube-refused']).toContain(step.kind);
      expect(step.durationMs).toBeGreaterThan(0);
      expect(step.durationMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('puts every fault kind in exactly one lane', () => {
    expect(Object.values(LANES).flat().sort()).toEqual([...FAULT_KINDS].sort());
  });
});
