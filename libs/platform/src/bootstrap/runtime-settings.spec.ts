import { describe, expect, it } from '@jest/globals';
import { LEAN_NODE_FLAGS, missingEnvironment, missingNodeFlags, NODE_FLAGS, profilerFlag } from './runtime-settings';

describe('the memory settings a service starts with', () => {
  it('adds every V8 flag to a plain `node main.js`', () => {
    expect(missingNodeFlags([], undefined)).toEqual(['--max-semi-space-size=4', '--max-old-space-size=512']);
  });

  it("keeps the operator's own value of a flag, from the command line or NODE_OPTIONS, in either spelling", () => {
    expect(missingNodeFlags(['--max-old-space-size=2048'], undefined)).toEqual(['--max-semi-space-size=4']);
    expect(missingNodeFlags([], '--enable-source-maps --max_semi_space_size=16')).toEqual(['--max-old-space-size=512']);
    expect(missingNodeFlags(['--max-semi-space-size=8'], '--max-old-space-size=1024')).toEqual([]);
  });

  it('adds no heap flag next to --max-heap-size, which V8 refuses together with both of them', () => {
    expect(missingNodeFlags([], '--max-heap-size=300')).toEqual([]);
  });

  it('adds --optimize-for-size, a flag without a value, for the lean services, unless the operator said either way', () => {
    const lean = { ...NODE_FLAGS, ...LEAN_NODE_FLAGS };
    expect(missingNodeFlags([], undefined, lean)).toEqual(['--max-semi-space-size=4', '--max-old-space-size=512', '--optimize-for-size']);
    expect(missingNodeFlags(['--no-optimize-for-size'], undefined, lean)).toEqual(['--max-semi-space-size=4', '--max-old-space-size=512']);
    expect(missingNodeFlags(['--optimize_for_size', '--max-semi-space-size=2'], undefined, lean)).toEqual(['--max-old-space-size=512']);
  });

  it('leaves out only the heap size flags next to --max-heap-size', () => {
    expect(missingNodeFlags([], '--max-heap-size=300', { ...NODE_FLAGS, ...LEAN_NODE_FLAGS })).toEqual(['--optimize-for-size']);
  });

  it("finds Node's profiler flags, on the command line or in NODE_OPTIONS: a service given one does not restart itself", () => {
    expect(profilerFlag(['--cpu-prof', '--cpu-prof-dir=/tmp/p'], undefined)).toBe('--cpu-prof');
    expect(profilerFlag([], '--enable-source-maps --heap-prof')).toBe('--heap-prof');
    expect(profilerFlag(['--prof'], undefined)).toBe('--prof');
    expect(profilerFlag(['--cpu-prof-dir=/tmp/p', '--max-old-space-size=512'], '--enable-source-maps')).toBeUndefined();
  });

  it('sets MALLOC_ARENA_MAX only where the environment does not', () => {
    expect(missingEnvironment({ PATH: '/usr/bin' })).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(missingEnvironment({ MALLOC_ARENA_MAX: '8' })).toEqual({});
  });
});
