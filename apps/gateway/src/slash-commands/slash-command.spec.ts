import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseSlashCommand } from './slash-command';

const projects = {
  ids: () => ['shop', 'test1'],
  get: (id: string) => (['shop', 'test1'].includes(id) ? {} : undefined),
};
const parse = (text: string) => parseSlashCommand(text, projects);

describe('reading the text of /deploybot', () => {
  it('reads help, and an empty command as help', () => {
    expect(parse('help')).toEqual({ kind: 'help' });
    expect(parse('')).toEqual({ kind: 'help' });
    expect(parse('   ')).toEqual({ kind: 'help' });
    expect(parse('HELP')).toEqual({ kind: 'help' });
  });

  it('reads status with and without a project', () => {
    expect(parse('status')).toEqual({ kind: 'status' });
    expect(parse('status shop')).toEqual({ kind: 'status', project: 'shop' });
    expect(parse('  Status \t shop ')).toEqual({ kind: 'status', project: 'shop' });
  });

  it('reads builds and releases of a project', () => {
    expect(parse('builds shop')).toEqual({ kind: 'builds', project: 'shop' });
    expect(parse('releases test1')).toEqual({ kind: 'releases', project: 'test1' });
  });

  it('reads promote and close of <type>/<target>, a target with slashes included', () => {
    expect(parse('promote shop branch/feature/login')).toEqual({
      kind: 'promote',
      project: 'shop',
      type: 'branch',
      target: 'feature/login',
    });
    expect(parse('close shop tag/v1.2.3')).toEqual({ kind: 'close', project: 'shop', type: 'tag', target: 'v1.2.3' });
  });

  it('also reads the type and the target as two words', () => {
    expect(parse('promote shop branch staging')).toEqual({ kind: 'promote', project: 'shop', type: 'branch', target: 'staging' });
    expect(parse('close shop Tag v2')).toEqual({ kind: 'close', project: 'shop', type: 'tag', target: 'v2' });
  });

  it('answers an unknown subcommand with the problem and no subcommand (so every usage line is shown)', () => {
    expect(parse('deploy shop')).toEqual({ kind: 'invalid', problem: '"deploy" is not a deploybot command' });
  });

  it.each([
    ['builds', 'builds needs a project', 'builds'],
    ['releases', 'releases needs a project', 'releases'],
    ['promote', 'promote needs a project and a branch or tag', 'promote'],
    ['promote shop', 'promote needs a branch or tag after the project', 'promote'],
    ['close shop', 'close needs a branch or tag after the project', 'close'],
  ])('answers %p with what is missing and the usage of that subcommand', (text, problem, subcommand) => {
    expect(parse(text)).toEqual({ kind: 'invalid', problem, subcommand });
  });

  it.each([
    ['status nope', 'status'],
    ['builds nope', 'builds'],
    ['releases nope', 'releases'],
    ['promote nope branch/x', 'promote'],
    ['close nope tag/v1', 'close'],
  ])('refuses a project that is not in the projects file in %p, listing the known ones', (text, subcommand) => {
    expect(parse(text)).toEqual({
      kind: 'invalid',
      problem: '"nope" is not a project deploybot knows (expected one of: shop, test1)',
      subcommand,
    });
  });

  it('refuses a target that is not branch/<name> or tag/<name>', () => {
    expect(parse('promote shop feature/login')).toEqual({
      kind: 'invalid',
      problem: '"feature/login" is not branch/<name> or tag/<name>',
      subcommand: 'promote',
    });
    expect(parse('promote shop branch')).toMatchObject({
      kind: 'invalid',
      problem: 'expected branch/<name> (e.g. branch/main), got "branch"',
    });
    expect(parse('close shop tag/')).toMatchObject({ kind: 'invalid', problem: 'expected tag/<name> (e.g. tag/main), got "tag/"' });
  });

  it("refuses a target name git would refuse, with git's reason", () => {
    expect(parse('promote shop branch/a..b')).toMatchObject({
      kind: 'invalid',
      problem: '"a..b" is not a valid branch name (it contains "..")',
    });
    expect(parse('close shop tag/v1.lock')).toMatchObject({ kind: 'invalid', problem: expect.stringContaining('.lock') });
  });

  it('refuses words left over, naming them', () => {
    expect(parse('help me')).toEqual({ kind: 'invalid', problem: 'unexpected "me" after help', subcommand: 'help' });
    expect(parse('status shop test1')).toEqual({ kind: 'invalid', problem: 'unexpected "test1" after status', subcommand: 'status' });
    expect(parse('builds shop 5')).toEqual({ kind: 'invalid', problem: 'unexpected "5" after builds', subcommand: 'builds' });
    expect(parse('promote shop branch x y')).toEqual({ kind: 'invalid', problem: 'unexpected "y" after promote', subcommand: 'promote' });
  });

  it('quotes and shortens what it echoes', () => {
    const problem = (parse(`x${'y'.repeat(500)}`) as { problem: string }).problem;
    expect(problem.length).toBeLessThan(120);
    expect((parse('"<!channel>"') as { problem: string }).problem).toBe('"\\"<!channel>\\"" is not a deploybot command');
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(['help', 'status', 'builds', 'releases', 'promote', 'close', 'invalid']).toContain(parse(text).kind);
      }),
      { numRuns: 2000 },
    );
  });
});
