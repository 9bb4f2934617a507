import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';
import { formatDuration, parseDuration } from './durations.schema';
import { parseProjects } from './projects.loader';

const HOUR = 3_600_000;

const withFields = (fields: string): string => `
projects:
  - id: test1
    name: Testing One
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01]
${fields}`;

const problemsOf = (text: string): string[] => {
  try {
    parseProjects(text, 'config.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('durations in the projects file', () => {
  it('reads 90s, 30m, 72h, 7d and combinations from the largest unit down', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('72h')).toBe(72 * HOUR);
    expect(parseDuration('7d')).toBe(7 * 24 * HOUR);
    expect(parseDuration('1h30m')).toBe(1.5 * HOUR);
    for (const bad of ['', '72', 'h', '1.5h', '30m1h', '-1h', '3 days']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('writes durations back the way people say them', () => {
    expect(formatDuration(72 * HOUR)).toBe('72h');
    expect(formatDuration(1.5 * HOUR)).toBe('1h30m');
    expect(formatDuration(7 * 24 * HOUR)).toBe('7d');
    expect(formatDuration(6_000)).toBe('6s');
  });

  it('reads previews.ttl and defaults the reminder to a quarter of it, at most a day', () => {
    expect(parseProjects(withFields('    previews: { ttl: 72h }'), 'config.yml').get('test1')!.previews).toEqual({
      removeAfterProduction: true,
      ttl: 72 * HOUR,
      remindBefore: 18 * HOUR,
    });
    expect(parseProjects(withFields('    previews: { ttl: 14d }'), 'config.yml').get('test1')!.previews.remindBefore).toBe(24 * HOUR);
    expect(parseProjects(withFields('    previews: { ttl: 8s, remindBefore: 5s }'), 'config.yml').get('test1')!.previews).toMatchObject({
      ttl: 8_000,
      remindBefore: 5_000,
    });
  });

  it('leaves previews without a TTL and approvals without reminders unless the file sets them', () => {
    const project = parseProjects(withFields(''), 'config.yml').get('test1')!;
    expect(project.previews).toEqual({ removeAfterProduction: true });
    expect(project.approvals).toBeUndefined();
    expect(project.approvalsRequired).toBe(1);
  });

  it('reads approvals.remindAfter and expireAfter next to approvals.required', () => {
    const project = parseProjects(withFields('    approvals: { required: 2, remindAfter: 4h, expireAfter: 3d }'), 'config.yml').get(
      'test1',
    )!;
    expect(project.approvals).toEqual({ required: 2, remindAfter: 4 * HOUR, expireAfter: 72 * HOUR });
    expect(project.approvalsRequired).toBe(2);
  });

  it('names the field and what was expected when a duration is wrong', () => {
    expect(problemsOf(withFields('    previews: { ttl: 3 days }'))).toEqual([
      'projects[0].previews.ttl: "3 days" is not a duration (expected e.g. 72h, 30m, 90s, 7d or 1h30m)',
    ]);
    expect(problemsOf(withFields('    previews: { ttl: 72 }'))).toEqual([
      'projects[0].previews.ttl: expected a duration like 72h, 30m, 90s or 7d',
    ]);
    expect(problemsOf(withFields('    approvals: { expireAfter: 0s }'))).toEqual([
      'projects[0].approvals.expireAfter: expected at least 1s',
    ]);
    expect(problemsOf(withFields('    approvals: { remindAfter: 400d }'))).toEqual([
      'projects[0].approvals.remindAfter: expected at most 366d',
    ]);
  });

  it('refuses a reminder that would come after the time it reminds of', () => {
    expect(problemsOf(withFields('    previews: { ttl: 1h, remindBefore: 2h }'))).toEqual([
      'projects[0].previews.remindBefore: expected less than previews.ttl',
    ]);
    expect(problemsOf(withFields('    previews: { remindBefore: 2h }'))).toEqual([
      'projects[0].previews.remindBefore: is set but previews.ttl is not (nothing expires)',
    ]);
    expect(problemsOf(withFields('    approvals: { remindAfter: 2d, expireAfter: 1d }'))).toEqual([
      'projects[0].approvals.remindAfter: expected less than approvals.expireAfter',
    ]);
  });
});

describe("the README's projects file example", () => {
  it('shows the preview expiry and the approval reminders, and they parse', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Projects file'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const project = parseProjects(example, 'README.md').get('test1')!;
    expect(project.previews).toEqual({ removeAfterProduction: true, ttl: 72 * HOUR, remindBefore: 18 * HOUR });
    expect(project.approvals).toEqual({ required: 1, remindAfter: 4 * HOUR, expireAfter: 72 * HOUR });
  });
});
