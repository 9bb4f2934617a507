import { describe, expect, it } from '@jest/globals';
import { Subjects } from '@app/contracts';
import type { AppConfig } from '@app/platform';
import { parseProjects } from '@app/platform';
import { RecordingLogger } from '../../test/recording-logger';
import { DEFAULT_GATEWAY_OPTIONS } from '../gateway.options';
import type { ApprovalsQueries, QueryOutcome } from './approvals-queries.service';
import { SlashCommands } from './slash-commands.service';

const project = (id: string, owner: string) => `
  - id: ${id}
    name: Project ${id}
    url: https://${id}.example.org
    channel: C0123456789
    qa: [U0QA00001]
    owners: [${owner}]`;

const logs = RecordingLogger.install();

/** Twelve projects: U0OWNER01 owns two of them. */
const config = {
  projects: parseProjects(
    `projects:${Array.from({ length: 12 }, (_, i) => project(`p${String(i).padStart(2, '0')}`, i < 2 ? 'U0OWNER01' : 'U0OTHER01')).join('')}`,
    'test',
  ),
} as AppConfig;

/** Stands in for approvals: records what was asked and answers with `outcome`. */
class RecordingQueries {
  asked: Array<{ subject: string; query: object }> = [];
  constructor(private readonly outcome: (subject: string, query: any) => QueryOutcome<unknown>) {} // eslint-disable-line @typescript-eslint/no-explicit-any
  async ask<T>(subject: string, query: object): Promise<QueryOutcome<T>> {
    this.asked.push({ subject, query });
    return this.outcome(subject, query) as QueryOutcome<T>;
  }
}

const statusOf = (projects: string[]) => projects.map((p) => ({ project: p, name: p, production: null, open: [] }));
const commands = (queries: RecordingQueries) => new SlashCommands(config, DEFAULT_GATEWAY_OPTIONS, queries as unknown as ApprovalsQueries);
const request = (text: string, userId = 'U0OWNER01') => ({ command: '/deploybot', text, userId });

describe('answering /deploybot', () => {
  it("asks for the status of the person's own projects only", async () => {
    const queries = new RecordingQueries((_s, q) => ({ kind: 'data', data: statusOf(q.projects) }));
    await commands(queries).answer(request('status'));
    expect(queries.asked).toEqual([{ subject: Subjects.ProjectStatus, query: { projects: ['p00', 'p01'], limit: 10 } }]);
  });

  it('asks for at most ten projects for someone in none, and says which were left out', async () => {
    const queries = new RecordingQueries((_s, q) => ({ kind: 'data', data: statusOf(q.projects) }));
    const answer = await commands(queries).answer(request('status', 'U0NOBODY1'));
    expect((queries.asked[0].query as { projects: string[] }).projects).toHaveLength(10);
    expect(JSON.stringify(answer.blocks)).toContain('Not shown: p10, p11');
  });

  it('answers a typo without asking approvals anything', async () => {
    const queries = new RecordingQueries(() => ({ kind: 'unavailable' }));
    const answer = await commands(queries).answer(request('ship it'));
    expect(answer.text).toContain('"ship" is not a deploybot command');
    expect(queries.asked).toEqual([]);
  });

  it("answers with approvals' refusal, or 'try again' when it did not answer", async () => {
    const refused = new RecordingQueries(() => ({ kind: 'refused', status: 404, message: 'p00 has no build of branch x' }));
    expect((await commands(refused).answer(request('promote p00 branch/x'))).text).toBe('p00 has no build of branch x');
    const silent = new RecordingQueries(() => ({ kind: 'unavailable' }));
    expect((await commands(silent).answer(request('releases p00'))).text).toContain('cannot answer right now');
  });

  it('answers "could not answer" instead of failing when approvals sends data that breaks the contract', async () => {
    const garbled = new RecordingQueries(() => ({ kind: 'data', data: [{ project: 'p00' }] }));
    const answer = await commands(garbled).answer(request('status p00'));
    expect(answer).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('could not answer this command') });
    expect(logs.messages('error')).toContain('could not answer a slash command');
  });
});
