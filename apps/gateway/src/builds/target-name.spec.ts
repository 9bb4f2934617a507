import { describe, expect, it } from '@jest/globals';
import { targetNameProblem } from './target-name';

describe('branch and tag names', () => {
  it.each([
    'staging',
    'main',
    'feature/login-form',
    'v1.2.3',
    'release/2024.06',
    'user/JIRA-123_fix',
    'a',
    'x'.repeat(200),
    'ünïcode',
    'a@b',
  ])('accepts %s', (target) => {
    expect(targetNameProblem(target)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(201), 'longer than 200'],
    ['has space', 'whitespace'],
    ['tab\there', 'whitespace'],
    ['new\nline', 'whitespace'],
    ['nul\u0000', 'whitespace or control'],
    ['del\u007f', 'whitespace or control'],
    ['a~1', '~ ^ : ? * [ \\'],
    ['a^', '~ ^ : ? * [ \\'],
    ['a:b', '~ ^ : ? * [ \\'],
    ['a?', '~ ^ : ? * [ \\'],
    ['a*', '~ ^ : ? * [ \\'],
    ['a[b', '~ ^ : ? * [ \\'],
    ['a\\b', '~ ^ : ? * [ \\'],
    ['a..b', '".."'],
    ['a@{1}', '"@{"'],
    ['@', '"@"'],
    ['/a', 'empty path component'],
    ['a/', 'empty path component'],
    ['a//b', 'empty path component'],
    ['a.', 'ends with "."'],
    ['.hidden', 'starts with "."'],
    ['a/.b', 'starts with "."'],
    ['a.lock', 'ends with ".lock"'],
    ['a.lock/b', 'ends with ".lock"'],
  ])('refuses %j (%s)', (target, problem) => {
    expect(targetNameProblem(target)).toContain(problem);
  });
});
