import { describe, expect, it } from '@jest/globals';
import type { VerdictView } from '@app/contracts';
import { waitingFor } from './waiting-for';

const roles = { qa: ['U0QA00001', 'U0QA00002'], owners: ['U0OWNER01'] };
const approve = (user: string): VerdictView => ({ user, verdict: 'approve', at: '2026-01-01T00:00:00Z' });
const build = (status: string, verdicts: VerdictView[] = [], approvalsRequired = 1) => ({ status, verdicts, approvalsRequired });

describe('who an open build waits for', () => {
  it('waits for the deployer while a preview or production rollout runs', () => {
    expect(waitingFor(build('registered'), roles)).toEqual({ on: 'deployer', environment: 'preview' });
    expect(waitingFor(build('preview-deploying'), roles)).toEqual({ on: 'deployer', environment: 'preview' });
    expect(waitingFor(build('production-deploying'), roles)).toEqual({ on: 'deployer', environment: 'production' });
  });

  it('waits for the QA members who have not given a verdict, with the approvals still missing', () => {
    expect(waitingFor(build('awaiting-qa', [], 2), roles)).toEqual({ on: 'qa', users: roles.qa, approvalsMissing: 2 });
    expect(waitingFor(build('awaiting-qa', [approve('U0QA00001')], 2), roles)).toEqual({
      on: 'qa',
      users: ['U0QA00002'],
      approvalsMissing: 1,
    });
  });

  it('waits for the owners to ship once the rule is met, or when no approval is required', () => {
    expect(waitingFor(build('approved', [approve('U0QA00001')]), roles)).toEqual({ on: 'owners', users: ['U0OWNER01'], to: 'ship' });
    expect(waitingFor(build('awaiting-qa', [], 0), roles)).toEqual({ on: 'owners', users: ['U0OWNER01'], to: 'ship' });
  });

  it('waits for the owners to retry a failed production deployment, or to close a rejected build', () => {
    expect(waitingFor(build('production-failed'), roles)).toEqual({ on: 'owners', users: ['U0OWNER01'], to: 'retry' });
    expect(waitingFor(build('rejected'), roles)).toEqual({ on: 'owners', users: ['U0OWNER01'], to: 'close' });
  });

  it('waits for CI (a new build) after the preview failed', () => {
    expect(waitingFor(build('preview-failed'), roles)).toEqual({ on: 'ci' });
  });

  it('refuses to say for a build that has ended', () => {
    for (const status of ['in-production', 'closed', 'superseded'])
      expect(() => waitingFor(build(status), roles)).toThrow(/not an open build/);
  });
});
