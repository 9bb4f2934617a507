import type { BuildView, WaitingFor } from '@app/contracts';
import type { BuildViewStatus } from './build-view.projection';

/** The roles of a project, from the projects file. */
export interface ProjectRoles {
  qa: readonly string[];
  owners: readonly string[];
}

/**
 * Who an open build waits for, from its status in the read model and the project's roles
 * (pure). QA members who gave a verdict are not waited for; with the approval rule met (or
 * none required) the owners are.
 */
export function waitingFor(build: Pick<BuildView, 'status' | 'verdicts' | 'approvalsRequired'>, roles: ProjectRoles): WaitingFor {
  const owners = (to: 'ship' | 'retry' | 'close'): WaitingFor => ({ on: 'owners', users: [...roles.owners], to });
  const status = build.status as BuildViewStatus;
  switch (status) {
    case 'registered':
    case 'preview-deploying':
      return { on: 'deployer', environment: 'preview' };
    case 'production-deploying':
      return { on: 'deployer', environment: 'production' };
    case 'preview-failed':
      return { on: 'ci' };
    case 'awaiting-qa': {
      const approvals = build.verdicts.filter((v) => v.verdict === 'approve').length;
      const missing = Math.max(0, build.approvalsRequired - approvals);
      if (missing === 0) return owners('ship');
      const given = new Set(build.verdicts.map((v) => v.user));
      return { on: 'qa', users: roles.qa.filter((u) => !given.has(u)), approvalsMissing: missing };
    }
    case 'rejected':
      return owners('close');
    case 'approved':
      return owners('ship');
    case 'production-failed':
      return owners('retry');
    case 'in-production':
    case 'replaced':
    case 'rolled-back':
    case 'closed':
    case 'superseded':
    case 'expired':
      throw new Error(`a ${status} build waits for no one; it is not an open build`);
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}
