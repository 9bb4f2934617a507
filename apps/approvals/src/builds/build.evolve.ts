import { previewAttemptId } from './attempts';
import type { BuildEventDraft } from './build-event-draft';
import { Build, KnownBuild, Verdict } from './build.state';

/**
 * The next state after `event`. Pure, and works on the decider's own event shapes (type and
 * data): folding a stream needs no envelope. Events that do not apply leave the state as it is.
 */
export const evolve = (state: Build, event: BuildEventDraft): Build => {
  if (event.type === 'BuildRegistered') {
    const { buildId, requestId, project, type, target, image, previewUrl, productionUrl } = event.data;
    return {
      status: 'Registered',
      build: { buildId, requestId, project, type, target, image, previewUrl, productionUrl },
      bits: {},
      abandoned: [],
      timers: {},
    };
  }
  if (state.status === 'Unknown') return state;
  const common = { build: state.build, bits: state.bits, teardown: state.teardown, abandoned: state.abandoned, timers: state.timers };
  switch (event.type) {
    case 'PreviewDeploymentRequested':
      return { ...common, status: 'PreviewDeploying', previewAttemptId: event.data.attemptId ?? previewAttemptId(state.build.buildId) };
    case 'PreviewDeployed':
      return {
        ...common,
        status: 'AwaitingQa',
        previewAttemptId: previewAttemptOf(state),
        verdicts: [],
        bits: { digest: event.data.digest, pinnedImage: event.data.pinnedImage },
      };
    case 'PreviewDeploymentFailed':
      return {
        ...common,
        status: 'PreviewFailed',
        reason: event.data.reason,
        abandoned: abandon(state, event.data.cause, previewAttemptOf(state)),
      };
    case 'QaApproved':
      return withVerdict(state, { user: event.data.by, verdict: 'approve' });
    case 'QaRejected':
      return withVerdict(state, { user: event.data.by, verdict: 'reject' });
    case 'BuildApproved':
      return state.status === 'AwaitingQa' ? { ...state, status: 'Approved' } : state;
    case 'ProductionDeploymentRequested':
      return {
        ...common,
        status: 'ProductionDeploying',
        previewAttemptId: previewAttemptOf(state),
        verdicts: verdictsOf(state),
        productionAttemptId: event.data.attemptId ?? '',
        attempt: event.data.attempt,
        by: event.data.by,
        ...(state.status === 'InProduction' && event.data.rollbackOf
          ? { rollback: { of: event.data.rollbackOf, wasBy: state.by, ...(state.replacedBy ? { replacedBy: state.replacedBy } : {}) } }
          : {}),
      };
    case 'ProductionDeployed':
      return { ...common, status: 'InProduction', verdicts: verdictsOf(state), by: event.data.by, attempt: attemptOf(state) };
    case 'ProductionDeploymentFailed': {
      const abandoned =
        state.status === 'ProductionDeploying' ? abandon(state, event.data.cause, state.productionAttemptId) : state.abandoned;
      if (state.status === 'ProductionDeploying' && state.rollback) {
        // A rollback that failed leaves the build as it was: a previous release.
        const { wasBy, replacedBy } = state.rollback;
        return {
          ...common,
          status: 'InProduction',
          verdicts: state.verdicts,
          by: wasBy,
          attempt: state.attempt,
          abandoned,
          ...(replacedBy ? { replacedBy } : {}),
        };
      }
      return {
        ...common,
        status: 'ProductionFailed',
        previewAttemptId: previewAttemptOf(state),
        verdicts: verdictsOf(state),
        attempt: event.data.attempt,
        reason: event.data.reason,
        abandoned,
      };
    }
    case 'BuildClosed': {
      // Events written before PreviewTeardownRequested existed carry the teardown attempt here (upcast).
      const teardown = event.data.attemptId
        ? { attemptId: event.data.attemptId, n: (state.teardown?.n ?? 0) + 1, status: 'requested' as const }
        : state.teardown;
      return { ...common, status: 'Closed', by: event.data.by, teardown };
    }
    case 'BuildSuperseded':
      return { ...common, status: 'Superseded', supersededBy: event.data.supersededBy };
    case 'PreviewTeardownRequested': {
      const same = state.teardown?.attemptId === event.data.attemptId;
      return {
        ...state,
        teardown: same
          ? state.teardown
          : { attemptId: event.data.attemptId, n: (state.teardown?.n ?? 0) + 1, status: 'requested', reason: event.data.reason },
      };
    }
    case 'PreviewRemoved':
      return state.teardown ? { ...state, teardown: { ...state.teardown, status: 'removed' } } : state;
    case 'PreviewTeardownFailed':
      return state.teardown?.attemptId === event.data.attemptId
        ? { ...state, teardown: { ...state.teardown, status: 'failed' }, abandoned: [...state.abandoned, event.data.attemptId] }
        : state;
    case 'LateOutcomeRecorded':
      return { ...state, abandoned: state.abandoned.filter((a) => a !== event.data.attemptId) };
    case 'TimerScheduled': {
      const { kind, timerId, dueAt } = event.data;
      return { ...state, timers: { ...state.timers, [kind]: { timerId, dueAt, n: (state.timers[kind]?.n ?? 0) + 1 } } };
    }
    case 'BuildExpired':
      return { ...common, status: 'Expired', why: event.data.why };
    case 'ProductionReplaced': {
      if (state.status !== 'InProduction') return state;
      const { replacedBy, release, rolledBack } = event.data;
      return { ...state, replacedBy: { buildId: replacedBy, release, rolledBack } };
    }
    case 'ActionDenied':
    case 'PreviewKept':
    case 'PreviewExpiryReminded':
    case 'ApprovalReminded':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

/** Folds a whole stream (upcast first: see build.upcast.ts). */
export const fold = (events: readonly BuildEventDraft[], state: Build = { status: 'Unknown' }): Build => events.reduce(evolve, state);

/** A verdict moves an approved build back to waiting when it is a rejection. */
const withVerdict = (state: KnownBuild, verdict: Verdict): Build => {
  if (state.status !== 'AwaitingQa' && state.status !== 'Approved') return state;
  const verdicts = [...state.verdicts.filter((v) => v.user !== verdict.user), verdict];
  return verdict.verdict === 'reject' ? { ...state, status: 'AwaitingQa', verdicts } : { ...state, verdicts };
};

const verdictsOf = (state: KnownBuild): Verdict[] => ('verdicts' in state ? state.verdicts : []);
const attemptOf = (state: KnownBuild): number => ('attempt' in state ? state.attempt : 1);
const previewAttemptOf = (state: KnownBuild): string =>
  'previewAttemptId' in state ? state.previewAttemptId : previewAttemptId(state.build.buildId);

/** An attempt failed by approvals (not by the deployer) is remembered, so its late outcome is recorded once. */
const abandon = (state: KnownBuild, cause: string | undefined, attemptId: string): readonly string[] =>
  cause === 'deadline' || cause === 'dead-letter' ? [...state.abandoned, attemptId] : state.abandoned;
