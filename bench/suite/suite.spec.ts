import { describe, expect, it } from '@jest/globals';
import { flowTable } from './benches';
import { replaceBetweenMarkers, separateTables } from './markers';

describe('writing figures into docs/benchmarks.md', () => {
  const doc = ['# Benchmarks', 'prose before', '<!-- suite:flow:start -->', 'old table', '<!-- suite:flow:end -->', 'prose after'].join(
    '\n',
  );

  it('replaces only what is between the named markers, keeping the prose around them', () => {
    expect(replaceBetweenMarkers(doc, 'flow', '| new |')).toBe(
      ['# Benchmarks', 'prose before', '<!-- suite:flow:start -->', '| new |', '<!-- suite:flow:end -->', 'prose after'].join('\n'),
    );
  });

  it('puts a blank line between a line of text and the table after it', () => {
    expect(separateTables('10 rollouts per case\n| a |\n|---|\n| 1 |')).toBe('10 rollouts per case\n\n| a |\n|---|\n| 1 |');
  });

  it('says so when a section has no markers', () => {
    expect(replaceBetweenMarkers(doc, 'soak', 'x')).toBeUndefined();
  });
});

describe("the flow benchmark's figures", () => {
  it('become a table beside the targets of issue #15', () => {
    const stdout = [
      'time scale 0.02: pods ready after 6 ms',
      'CI request → QA DMs posted:            p50 412 ms, p95 580 ms, max 630 ms (n=50)',
      "owner's click → production announced:  p50 1090 ms, p95 1130 ms, max 1240 ms (n=50)",
      '100 builds across 10 projects: accepted in 95 ms; every QA DM posted after 38.7 s = 2.6 builds/s',
    ].join('\n');
    const table = flowTable(stdout)!;
    expect(table).toContain('| CI request → every QA DM posted | 412 ms | 580 ms | 630 ms | 50 | p50 ≤ 100 ms, p95 ≤ 250 ms |');
    expect(table).toContain("| owner's click → production announced | 1090 ms | 1130 ms | 1240 ms | 50 | p95 ≤ 300 ms |");
    expect(table).toContain('every QA DM posted after 38.7 s (2.6 builds/s)');
  });

  it('is left verbatim when the output is not in the expected shape', () => {
    expect(flowTable('something else entirely')).toBeUndefined();
  });
});
