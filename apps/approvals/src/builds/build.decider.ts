import { BuildCommand } from './build.commands';
import { BuildEventDraft, draft } from './build-event-draft';
import { decideClose, decidePromote, decideVerdict } from './build.people';
import { IllegalState } from './build.refusals';
import { Build, OPEN_STATUSES } from './build.state';

export { initialState } from './build.state';
export { evolve } from './build.evolve';

/**
 * What `command` means for a build in `state`: the events to append (none when nothing
 * changes), or a thrown {@link BuildRefusal}. Pure: no clock, no ids, no I/O.
 */
export const decide = (command: BuildCommand, state: Build): BuildEventDraft[] => {
  switch (command.type) {
    case 'RegisterBuild':
      return decideRegister(command, state);
    case 'SupersedeBuild':
      return decideSupersede(command, state);
    case 'GiveVerdict':
      return decideVerdict(command, state);
    case 'PromoteBuild':
      return decidePromote(command, state);
    case 'CloseBuild':
      return decideClose(command, state);
    case 'RecordDeploymentSucceeded':
    case 'RecordDeploymentFailed':
      return decideDeploymentOutcome(command, state);
    case 'RecordPreviewTornDown':
      return state.status === 'Closed' && state.closeRequestId === command.requestId && !state.previewRemoved
        ? [draft('PreviewRemoved', { buildId: state.build.buildId, deleted: command.deleted })]
        : [];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

const decideRegister = (command: Extract<BuildCommand, { type: 'RegisterBuild' }>, state: Build): BuildEventDraft[] => {
  if (state.status !== 'Unknown') throw new IllegalState('register', `build ${command.buildId} is already registered`);
  const { buildId, requestId, policy, buildType: type, target, image, previewUrl, productionUrl } = command;
  return [
    draft('BuildRegistered', {
      buildId,
      requestId,
      project: policy.id,
      projectName: policy.name,
      type,
      target,
      image,
      previewUrl,
      productionUrl,
      channel: policy.channel,
      qa: [...policy.qa],
      owners: [...policy.owners],
      approvalsRequired: policy.approvalsRequired,
    }),
    draft('PreviewDeploymentRequested', { buildId, project: policy.id, type, target, image, url: previewUrl }),
  ];
};

const decideSupersede = (command: Extract<BuildCommand, { type: 'SupersedeBuild' }>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown' || !OPEN_STATUSES.includes(state.status)) {
    throw new IllegalState('supersede', `a build that is ${state.status} is not open and cannot be superseded`);
  }
  return [draft('BuildSuperseded', { buildId: state.build.buildId, supersededBy: command.supersededBy, newImage: command.newImage })];
};

/** Outcomes of attempts that are no longer current are recorded by the edge and change nothing. */
const decideDeploymentOutcome = (
  command: Extract<BuildCommand, { type: 'RecordDeploymentSucceeded' | 'RecordDeploymentFailed' }>,
  state: Build,
): BuildEventDraft[] => {
  const succeeded = command.type === 'RecordDeploymentSucceeded';
  if (command.environment === 'preview') {
    if (state.status !== 'PreviewDeploying' || state.previewRequestId !== command.requestId) return [];
    const buildId = state.build.buildId;
    return [succeeded ? draft('PreviewDeployed', { buildId, url: command.url }) : draft('PreviewDeploymentFailed', { buildId, reason: command.reason })];
  }
  if (state.status !== 'ProductionDeploying' || state.productionRequestId !== command.requestId) return [];
  const { build, by, attempt } = state;
  return [
    succeeded
      ? draft('ProductionDeployed', { buildId: build.buildId, url: command.url, by })
      : draft('ProductionDeploymentFailed', { buildId: build.buildId, reason: command.reason, by, attempt }),
  ];
};
