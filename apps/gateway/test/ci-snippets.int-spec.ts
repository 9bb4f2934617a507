import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { CI_TOKEN, GatewayHarness, startGateway } from './support/gateway-harness';

/*
 * The CI snippets users copy from the README and docs/gateway.md, run as written (bash + curl)
 * against a real gateway: what they send must arrive as the branch and image CI meant, also for
 * a branch name with characters that form encoding changes and an owner name with capitals.
 */
const run = promisify(execFile);
const ROOT = process.cwd(); // jest runs from the repository root
const BRANCH = 'feature/a+b&c=d';
const SHA = '0123456789abcdef0123456789abcdef01234567';

/** Fenced code blocks of a markdown file that mention the webhook. */
const snippets = (file: string, lang: string): string[] =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))]
    .map((m) => m[1])
    .filter((b) => b.includes('/build-complete'));

describe('the CI snippets of the docs, run against the gateway', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  const runScript = async (script: string, env: Record<string, string>) => {
    const local = script.replaceAll('https://deploybot.example.org', gw.baseUrl);
    const { stdout } = await run('bash', ['-c', local], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });
    return JSON.parse(stdout) as { id: string; status: string };
  };
  const storedFor = async (id: string) =>
    (await gw.inputs()).find((i) => i.envelope.correlationId === id)!.envelope.data as Record<string, unknown>;

  it('README: the curl step sends the branch name as it is', async () => {
    const [script] = snippets('README.md', 'sh').filter((s) => s.includes('CI_COMMIT_REF_NAME'));
    const answer = await runScript(script, {
      CI_WEBHOOK_TOKEN: CI_TOKEN,
      CI_PIPELINE_ID: 'readme-1',
      GIT_SHA: SHA,
      CI_COMMIT_REF_NAME: BRANCH,
    });
    expect(answer.status).toBe('accepted');
    expect(await storedFor(answer.id)).toMatchObject({
      project: 'test1',
      type: 'branch',
      target: BRANCH,
      image: `registry.example.org/test1:${SHA}`,
    });
  });

  it('docs/gateway.md: the curl step', async () => {
    const [script] = snippets('docs/gateway.md', 'sh');
    const answer = await runScript(script, { CI_WEBHOOK_TOKEN: CI_TOKEN, CI_PIPELINE_ID: 'curl-1', GIT_SHA: SHA, GIT_BRANCH: BRANCH });
    expect(await storedFor(answer.id)).toMatchObject({ target: BRANCH, image: `registry.example.org/test1:${SHA}` });
  });

  it('docs/gateway.md: the GitHub Actions step lowercases the repository owner', async () => {
    const [yaml] = snippets('docs/gateway.md', 'yaml').filter((s) => s.includes('github.'));
    const [step] = parse(yaml) as { run: string }[];
    // What Actions does with ${{ }} before the shell sees the script.
    const expressions: Record<string, string> = {
      'github.run_id': '991',
      'github.run_attempt': '1',
      'github.sha': SHA,
      'github.repository': 'Acme/Shop',
    };
    const script = step.run.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => expressions[name]);
    const answer = await runScript(script, {
      CI_WEBHOOK_TOKEN: CI_TOKEN,
      GITHUB_REPOSITORY: 'Acme/Shop',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REF_NAME: BRANCH,
    });
    expect(await storedFor(answer.id)).toMatchObject({ type: 'branch', target: BRANCH, image: `ghcr.io/acme/shop:${SHA}` });
  });

  it('docs/gateway.md: the GitLab CI job', async () => {
    const [yaml] = snippets('docs/gateway.md', 'yaml').filter((s) => s.includes('CI_COMMIT_REF_NAME'));
    const job = (parse(yaml) as Record<string, { script: string[] }>)['notify-deploybot'];
    const answer = await runScript(job.script.join('\n'), {
      DEPLOYBOT_CI_TOKEN: CI_TOKEN,
      CI_PIPELINE_ID: '77',
      CI_REGISTRY_IMAGE: 'registry.gitlab.com/acme/shop',
      CI_COMMIT_SHA: SHA,
      CI_COMMIT_REF_NAME: 'v1.2.0',
      CI_COMMIT_TAG: 'v1.2.0',
    });
    expect(await storedFor(answer.id)).toMatchObject({ type: 'tag', target: 'v1.2.0', image: `registry.gitlab.com/acme/shop:${SHA}` });
  });
});
