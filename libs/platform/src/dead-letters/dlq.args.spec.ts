import { describe, expect, it } from '@jest/globals';
import { parseDlqArgs } from './dlq.args';

describe('the dlq command line', () => {
  it('lists with optional service and subject filters', () => {
    expect(parseDlqArgs(['list'])).toEqual({ kind: 'list', selection: {}, json: false });
    expect(parseDlqArgs(['list', '--service', 'deployer', '--subject', 'build.*', '--json'])).toEqual({
      kind: 'list',
      selection: { service: 'deployer', subject: 'build.*' },
      json: true,
    });
  });

  it('shows one dead letter by its sequence, with or without a leading #', () => {
    expect(parseDlqArgs(['show', '42'])).toEqual({ kind: 'show', seq: 42, json: false });
    expect(parseDlqArgs(['show', '#42'])).toMatchObject({ seq: 42 });
  });

  it('replays one, or all of a selection, with an optional reason', () => {
    expect(parseDlqArgs(['replay', '3', '--reason', 'Slack token fixed'])).toMatchObject({
      kind: 'replay',
      target: { seq: 3 },
      reason: 'Slack token fixed',
      force: false,
    });
    expect(parseDlqArgs(['replay', '--all', '--service', 'notifier'])).toMatchObject({
      kind: 'replay',
      target: { all: { service: 'notifier' } },
      reason: undefined,
    });
  });

  it('refuses to drop without a reason', () => {
    expect(() => parseDlqArgs(['drop', '3'])).toThrow('drop needs --reason');
    expect(() => parseDlqArgs(['drop', '3', '--reason', '  '])).toThrow('drop needs --reason');
    expect(parseDlqArgs(['drop', '--all', '--subject', 'build.closed', '--reason', 'preview gone', '--force'])).toMatchObject({
      kind: 'drop',
      target: { all: { subject: 'build.closed' } },
      reason: 'preview gone',
      force: true,
    });
  });

  it('says what is wrong with a target', () => {
    expect(() => parseDlqArgs(['replay'])).toThrow("replay needs a dead letter's sequence");
    expect(() => parseDlqArgs(['replay', '3', '--all'])).toThrow('a sequence or --all, not both');
    expect(() => parseDlqArgs(['replay', '3', '--service', 'notifier'])).toThrow('--service and --subject select dead letters for --all');
    expect(() => parseDlqArgs(['show', 'abc'])).toThrow('"abc" is not a sequence');
    expect(() => parseDlqArgs(['show', '0'])).toThrow('"0" is not a sequence');
    expect(() => parseDlqArgs(['show'])).toThrow('sequence is missing');
  });

  it('refuses unknown commands, options that do not belong, and extra arguments', () => {
    expect(() => parseDlqArgs(['purge'])).toThrow('unknown command "purge"');
    expect(() => parseDlqArgs(['list', '--reason', 'x'])).toThrow('list does not take --reason');
    expect(() => parseDlqArgs(['list', '--colour'])).toThrow("Unknown option '--colour'");
    expect(() => parseDlqArgs(['show', '1', '2'])).toThrow('unexpected argument "2" after show');
  });

  it('reads history with filters, and help with no command', () => {
    expect(parseDlqArgs(['history', '--service', 'deployer', '--seq', '9'])).toEqual({
      kind: 'history',
      service: 'deployer',
      seq: 9,
      json: false,
    });
    expect(parseDlqArgs([])).toEqual({ kind: 'help' });
    expect(parseDlqArgs(['--help'])).toEqual({ kind: 'help' });
  });
});
