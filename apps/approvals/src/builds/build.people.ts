import type { ActionKind } from '@app/contracts';
import { BuildCommand } from './build.commands';
import { BuildEventDraft, draft } from './build-event-draft';
import { IllegalState, NotAllowed, NotEnoughApprovals, ProductionBusy, UnknownBuild } from './build.refusals';
import { approvalsOf, Build, KnownBuild, rejectionsOf } from './build.state';

type GiveVerdict = Extract<BuildCommand, { type: 'GiveVerdict' }>;
type PromoteBuild = Extract<BuildCommand, { type: 'PromoteBuild' }>;
type CloseBuild = Extract<BuildCommand, { type: 'CloseBuild' }>;

/*
 * Decisions on what people ask for in Slack. Order of checks: the build must exist, the
 * person must have the role, then the build's state must allow it.
 */

/** One verdict per QA member: the same click again changes nothing, a different one is refused. */
export const decideVerdict = (command: GiveVerdict, state: Build): BuildEventDraft[] => {
  const action: ActionKind = command.verdict;
  const known = requireKnown(state, action);
  if (!command.policy.qa.includes(command.user)) {
    throw new NotAllowed(action, `only the QA team of ${command.policy.name} can ${action} builds`);
  }
  if (known.status !== 'AwaitingQa' && known.status !== 'Approved') throw new IllegalState(action, whyNot(known));

  const buildId = known.build.buildId;
  const previous = known.verdicts.find((v) => v.user === command.user);
  if (previous?.verdict === command.verdict) return [];
  if (previous) throw new IllegalState(action, `you already ${pastTense(previous.verdict)} this build`);

  if (command.verdict === 'reject') return [draft('QaRejected', { buildId, by: command.user })];
  const approvals = [...approvalsOf(known.verdicts), command.user];
  const required = command.policy.approvalsRequired;
  const events = [draft('QaApproved', { buildId, by: command.user, approvals, required })];
  const nowApproved = known.status === 'AwaitingQa' && required > 0 && approvals.length >= required && rejectionsOf(known.verdicts).length === 0;
  return nowApproved ? [...events, draft('BuildApproved', { buildId, approvedBy: approvals })] : events;
};

/**
 * Owners promote an approved build (or, with `approvalsRequired: 0`, any build whose
 * preview is live and not rejected), or retry after a failed production deployment.
 */
export const decidePromote = (command: PromoteBuild, state: Build): BuildEventDraft[] => {
  const known = requireKnown(state, 'promote');
  const { policy, user } = command;
  if (!policy.owners.includes(user)) throw new NotAllowed('promote', `only the owners of ${policy.name} can deploy builds to production`);

  let attempt = 1;
  switch (known.status) {
    case 'AwaitingQa': {
      const rejectedBy = rejectionsOf(known.verdicts);
      if (rejectedBy.length > 0) throw new IllegalState('promote', `this build was rejected by ${mentions(rejectedBy)}`);
      const has = approvalsOf(known.verdicts).length;
      if (has < policy.approvalsRequired) {
        const plural = policy.approvalsRequired === 1 ? '' : 's';
        throw new NotEnoughApprovals('promote', `needs ${policy.approvalsRequired} QA approval${plural}, has ${has}`);
      }
      break;
    }
    case 'Approved':
      break;
    case 'ProductionFailed':
      attempt = known.attempt + 1;
      break;
    default:
      throw new IllegalState('promote', whyNot(known));
  }
  if (command.productionBusyWith && command.productionBusyWith !== known.build.buildId) {
    throw new ProductionBusy(
      'promote',
      `another build of ${policy.name} (${command.productionBusyWith}) is being deployed to production; try again when it is done`,
    );
  }
  const { buildId, project, image, productionUrl } = known.build;
  return [draft('ProductionDeploymentRequested', { buildId, project, image, url: productionUrl, by: user, attempt })];
};

/** Owners close a build that is not in (or on its way to) production; the preview is torn down. */
export const decideClose = (command: CloseBuild, state: Build): BuildEventDraft[] => {
  const known = requireKnown(state, 'close');
  if (!command.policy.owners.includes(command.user)) throw new NotAllowed('close', `only the owners of ${command.policy.name} can close builds`);
  switch (known.status) {
    case 'Registered':
    case 'PreviewDeploying':
    case 'PreviewFailed':
    case 'AwaitingQa':
    case 'Approved':
    case 'ProductionFailed': {
      const { buildId, project, type, target } = known.build;
      return [draft('BuildClosed', { buildId, by: command.user, project, type, target })];
    }
    case 'ProductionDeploying':
      throw new IllegalState('close', 'this build is being deployed to production; close it once the deployment is done');
    case 'InProduction':
    case 'Closed':
    case 'Superseded':
      throw new IllegalState('close', whyNot(known));
    default: {
      const _exhaustive: never = known;
      return _exhaustive;
    }
  }
};

const requireKnown = (state: Build, action: ActionKind): KnownBuild => {
  if (state.status === 'Unknown') throw new UnknownBuild(action, 'this build does not exist (it may have been removed, or the link is wrong)');
  return state;
};

/** Why a build in this state cannot take a person's action; shown to the person. */
const whyNot = (state: KnownBuild): string => {
  switch (state.status) {
    case 'Registered':
    case 'PreviewDeploying':
      return 'the preview of this build is still being deployed';
    case 'PreviewFailed':
      return `the preview of this build failed to deploy: ${state.reason}`;
    case 'AwaitingQa':
      return 'this build is waiting for QA';
    case 'Approved':
      return 'this build is already approved';
    case 'ProductionDeploying':
      return 'this build is already being deployed to production';
    case 'ProductionFailed':
      return 'this build has already been sent to production (the deployment failed; an owner can try again)';
    case 'InProduction':
      return 'this build is already in production';
    case 'Closed':
      return `this build was closed by <@${state.by}>`;
    case 'Superseded':
      return `this build was superseded by a newer build (${state.supersededBy})`;
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};

const pastTense = (verdict: 'approve' | 'reject'): string => (verdict === 'approve' ? 'approved' : 'rejected');
const mentions = (users: string[]): string => users.map((u) => `<@${u}>`).join(', ');
