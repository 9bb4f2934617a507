import type { BuildEvent } from '@app/contracts';
import { Build, BuildFacts, Verdict } from './build.state';

/** The next state after `event`. Pure; events that do not apply to the state leave it as it is. */
export const evolve = (state: Build, event: BuildEvent): Build => {
  if (event.type === 'BuildRegistered') {
    const { buildId, project, type, target, image, previewUrl, productionUrl } = event.data;
    return { status: 'Registered', build: { buildId, project, type, target, image, previewUrl, productionUrl } };
  }
  if (state.status === 'Unknown') return state;
  const build: BuildFacts = state.build;
  switch (event.type) {
    case 'PreviewDeploymentRequested':
      return { status: 'PreviewDeploying', build, previewRequestId: event.id };
    case 'PreviewDeployed':
      return { status: 'AwaitingQa', build, verdicts: [] };
    case 'PreviewDeploymentFailed':
      return { status: 'PreviewFailed', build, reason: event.data.reason };
    case 'QaApproved':
      return withVerdict(state, { user: event.data.by, verdict: 'approve' });
    case 'QaRejected':
      return withVerdict(state, { user: event.data.by, verdict: 'reject' });
    case 'BuildApproved':
      return state.status === 'AwaitingQa' ? { status: 'Approved', build, verdicts: state.verdicts } : state;
    case 'ProductionDeploymentRequested':
      return { status: 'ProductionDeploying', build, verdicts: verdictsOf(state), productionRequestId: event.id, attempt: event.data.attempt, by: event.data.by };
    case 'ProductionDeployed':
      return { status: 'InProduction', build, verdicts: verdictsOf(state), by: event.data.by };
    case 'ProductionDeploymentFailed':
      return { status: 'ProductionFailed', build, verdicts: verdictsOf(state), attempt: event.data.attempt, reason: event.data.reason };
    case 'BuildClosed':
      return { status: 'Closed', build, by: event.data.by, closeRequestId: event.id, previewRemoved: false };
    case 'BuildSuperseded':
      return { status: 'Superseded', build, supersededBy: event.data.supersededBy };
    case 'PreviewRemoved':
      return state.status === 'Closed' ? { ...state, previewRemoved: true } : state;
    case 'PreviewTeardownRequested':
    case 'PreviewTeardownFailed':
    case 'LateOutcomeRecorded':
    case 'ActionDenied':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

/** A verdict moves an approved build back to waiting when it is a rejection. */
const withVerdict = (state: Build, verdict: Verdict): Build => {
  if (state.status !== 'AwaitingQa' && state.status !== 'Approved') return state;
  const verdicts = [...state.verdicts.filter((v) => v.user !== verdict.user), verdict];
  return verdict.verdict === 'reject' ? { status: 'AwaitingQa', build: state.build, verdicts } : { ...state, verdicts };
};

const verdictsOf = (state: Build): Verdict[] => ('verdicts' in state ? state.verdicts : []);

/** Folds a whole stream. */
export const fold = (events: readonly BuildEvent[], state: Build = { status: 'Unknown' }): Build => events.reduce(evolve, state);
