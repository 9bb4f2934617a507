import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error';
import { loadProjects, parseProjects } from './projects.loader';

const seed = `
projects:
  - id: test1
    name: Testing One
    url: https://example.org
    channel: C0123456789
    qa: [U0QA00001, U0QA00002]
    owners: [U0OWNER01]
`;

const problemsOf = (text: string): string[] => {
  try {
    parseProjects(text, 'config.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('the projects file', () => {
  it('accepts the seed format and fills in the optional fields', () => {
    const project = parseProjects(seed, 'config.yml').get('test1')!;
    expect(project).toMatchObject({
      name: 'Testing One',
      qa: ['U0QA00001', 'U0QA00002'],
      owners: ['U0OWNER01'],
      namespace: 'default',
      port: 80,
      replicas: 1,
      approvalsRequired: 1,
      route: { kind: 'ingress' },
    });
  });

  it('lets owners ship without QA when approvals.required is 0 (the seed behaviour)', () => {
    const project = parseProjects(`${seed}    approvals: { required: 0 }\n`, 'config.yml').get('test1')!;
    expect(project.approvalsRequired).toBe(0);
  });

  it('needs no QA approval by default when the project has no QA people', () => {
    const project = parseProjects(seed.replace('qa: [U0QA00001, U0QA00002]', 'qa: []'), 'config.yml').get('test1')!;
    expect(project.approvalsRequired).toBe(0);
  });

  it('names the field and what was expected for each problem', () => {
    const problems = problemsOf(`
projects:
  - id: Test_1
    name: x
    url: ftp://example.org
    channel: general
    qa: [bob]
    owners: []
    port: 70000
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^projects\[0\]\.id: expected lowercase letters/),
        expect.stringMatching(/^projects\[0\]\.url: expected an http\(s\) URL/),
        expect.stringMatching(/^projects\[0\]\.channel: expected a Slack channel id/),
        expect.stringMatching(/^projects\[0\]\.qa\[0\]: expected a Slack user id/),
        expect.stringMatching(/^projects\[0\]\.owners: expected at least one owner/),
        expect.stringMatching(/^projects\[0\]\.port: /),
      ]),
    );
  });

  it('refuses more required approvals than there are QA people', () => {
    expect(problemsOf(`${seed}    approvals: { required: 3 }\n`)).toEqual([
      'projects[0].approvals.required: approvals.required is larger than the number of qa members',
    ]);
  });

  it('refuses a field it does not know, by name, instead of ignoring a misspelling', () => {
    expect(problemsOf(`${seed}    previewTtl: 72h\n    owner: U0OWNER02\n`)).toEqual([
      'projects[0]: Unrecognized keys: "previewTtl", "owner"',
    ]);
  });

  it('refuses two projects with the same id', () => {
    const twice = `${seed}${seed.split('\n').slice(2).join('\n')}`;
    expect(problemsOf(twice)).toEqual(['projects[1].id: "test1" is used by more than one project']);
  });

  it('refuses a file that is not YAML, or has no projects', () => {
    expect(problemsOf('projects: [unclosed')[0]).toMatch(/^not valid YAML/);
    expect(problemsOf('projects: []')).toEqual(['projects: expected at least one project']);
    expect(problemsOf('{}')[0]).toMatch(/^projects: /);
  });

  it('says which file is missing and how to point at another', () => {
    expect(() => loadProjects('/nonexistent/config.yml')).toThrow(
      /invalid configuration in \/nonexistent\/config\.yml:\n {2}- file not found \(set DEPLOYBOT_CONFIG/,
    );
  });

  it('loads the example projects files the repository ships (config.yml, deploy/config.yml)', () => {
    for (const path of ['config.yml', 'deploy/config.yml']) expect(loadProjects(path).ids()).toContain('test1');
  });
});
