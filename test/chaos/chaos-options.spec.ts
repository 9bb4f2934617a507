import { describe, expect, it } from '@jest/globals';
import { FAULT_KINDS, FLAGGED_FAULTS, parseChaosOptions, parseFaults } from './chaos-options';

describe('chaos options', () => {
  it('defaults to 200 flows over 10 projects with every fault kind that is not flagged', () => {
    const options = parseChaosOptions([], {}, 123);
    expect(options).toMatchObject({
      flows: 200,
      projects: 10,
      seed: 123,
      replicas: 2,
      source: 'tree',
      build: true,
      reportFile: 'docs/reliability.md',
    });
    expect(options.faults).toEqual(FAULT_KINDS.filter((k) => !(k in FLAGGED_FAULTS)));
  });

  it('takes the command line over the environment', () => {
    const options = parseChaosOptions(['--flows', '20', '--seed=7', '--report', 'none'], {
      CHAOS_FLOWS: '50',
      CHAOS_PROJECTS: '3',
      ROLLOUT_TIMEOUT_SECONDS: '12',
    });
    expect(options).toMatchObject({ flows: 20, projects: 3, seed: 7, reportFile: undefined, clock: { rolloutTimeoutSeconds: 12 } });
  });

  it('refuses a value out of range or an unknown option, naming it', () => {
    expect(() => parseChaosOptions(['--flows', '0'], {})).toThrow('--flows (CHAOS_FLOWS): expected a whole number from 1');
    expect(() => parseChaosOptions(['--fast'], {})).toThrow('unknown option "--fast"');
  });

  it('adds and removes fault kinds from a base set', () => {
    expect(parseFaults('none')).toEqual([]);
    expect(parseFaults('kill,slack-429')).toEqual(['kill', 'slack-429']);
    expect(parseFaults('default,-kill,+slack-outage')).toContain('slack-outage');
    expect(parseFaults('default,-kill')).not.toContain('kill');
    expect(parseFaults('all')).toEqual([...FAULT_KINDS]);
    expect(() => parseFaults('kill,meteor')).toThrow('unknown fault kind "meteor"');
  });
});
