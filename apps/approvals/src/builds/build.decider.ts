import type { ActionKind, TeardownReason, TimerKind } from '@app/contracts';
import { productionAttemptId, previewAttemptId, teardownAttemptId } from './attempts';
import { BuildCommand, ProjectPolicy } from './build.commands';
import { BuildEventDraft, draft } from './build-event-draft';
import { IllegalState, named, NotAllowed, NotEnoughApprovals, ProductionBusy, UnknownBuild } from './build.refusals';
import { approvalsOf, Build, ExpiryWhy, isSupersedable, KnownBuild, rejectionsOf } from './build.state';

export { initialState } from './build.state';
export { evolve } from './build.evolve';

type Command<T extends BuildCommand['type']> = Extract<BuildCommand, { type: T }>;

/**
 * What `command` means for a build in `state`: the events to append (none when nothing
 * changes), or a thrown {@link BuildRefusal}. Pure: no clock, no ids, no I/O. Every decision
 * about one build lives in this file.
 */
export const decide = (command: BuildCommand, state: Build): BuildEventDraft[] => {
  switch (command.type) {
    case 'RegisterBuild':
      return register(command, state);
    case 'SupersedeBuild':
      return supersede(command, state);
    case 'GiveVerdict':
      return giveVerdict(command, state);
    case 'PromoteBuild':
      return promote(command, state);
    case 'CloseBuild':
      return close(command, state);
    case 'RecordDeploymentSucceeded':
      return deploymentSucceeded(command, state);
    case 'RecordDeploymentFailed':
      return deploymentFailed(command, state);
    case 'RecordPreviewTornDown':
      return previewTornDown(command, state);
    case 'ExpireAttempt':
      return expireAttempt(command, state);
    case 'KeepPreview':
      return keep(command, state);
    case 'FireTimer':
      return fireTimer(command, state);
    case 'RecordProductionReplaced':
      return productionReplaced(command, state);
    case 'RecordBranchDeleted':
      return branchDeleted(state);
    case 'RollBack':
      return rollBack(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

// ── CI and supersession ──────────────────────────────────────────────────────────────

const register = (command: Command<'RegisterBuild'>, state: Build): BuildEventDraft[] => {
  if (state.status !== 'Unknown') throw new IllegalState('register', `build ${command.buildId} is already registered`);
  const { buildId, requestId, policy, buildType: type, target, image, previewUrl, productionUrl, rolloutDeadline } = command;
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
    draft('PreviewDeploymentRequested', {
      buildId,
      attemptId: previewAttemptId(buildId),
      project: policy.id,
      type,
      target,
      image,
      url: previewUrl,
      rolloutDeadline,
    }),
  ];
};

const supersede = (command: Command<'SupersedeBuild'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown' || !isSupersedable(state.status)) {
    throw new IllegalState('supersede', `a build that is ${state.status} cannot be superseded`);
  }
  const { supersededBy, newImage, reason } = command;
  return [draft('BuildSuperseded', { buildId: state.build.buildId, supersededBy, newImage, reason })];
};

// ── People in Slack: the build must exist, the person must have the role, then the state must allow it ──

/** One verdict per QA member: the same click again changes nothing, a different one is refused. */
const giveVerdict = (command: Command<'GiveVerdict'>, state: Build): BuildEventDraft[] => {
  const action: ActionKind = command.verdict;
  const known = requireKnown(state, action);
  if (!command.policy.qa.includes(command.user)) {
    throw new NotAllowed(action, `only the QA team of ${command.policy.name} can ${action} builds`);
  }
  if (known.status !== 'AwaitingQa' && known.status !== 'Approved') throw whyNot(action, known);

  const buildId = known.build.buildId;
  const previous = known.verdicts.find((v) => v.user === command.user);
  if (previous?.verdict === command.verdict) return [];
  if (previous) throw new IllegalState(action, `you already ${pastTense(previous.verdict)} this build`);

  if (command.verdict === 'reject') {
    return [draft('QaRejected', { buildId, by: command.user, ...(command.reason ? { reason: command.reason } : {}) })];
  }
  const approvals = [...approvalsOf(known.verdicts), command.user];
  const required = command.policy.approvalsRequired;
  const events = [draft('QaApproved', { buildId, by: command.user, approvals, required })];
  const nowApproved =
    known.status === 'AwaitingQa' && required > 0 && approvals.length >= required && rejectionsOf(known.verdicts).length === 0;
  return nowApproved ? [...events, draft('BuildApproved', { buildId, approvedBy: approvals })] : events;
};

/**
 * Owners promote an approved build (or, with `approvalsRequired: 0`, any build whose preview
 * is live and not rejected), or retry after a failed production deployment. Production runs
 * the digest the preview ran, whatever the tag points to by now.
 */
const promote = (command: Command<'PromoteBuild'>, state: Build): BuildEventDraft[] => {
  const known = requireKnown(state, 'promote');
  const { policy, user } = command;
  if (!policy.owners.includes(user)) throw new NotAllowed('promote', `only the owners of ${policy.name} can deploy builds to production`);

  let attempt = 1;
  switch (known.status) {
    case 'AwaitingQa': {
      const rejectedBy = rejectionsOf(known.verdicts);
      if (rejectedBy.length > 0) throw new IllegalState('promote', `this build was rejected by ${named(rejectedBy)}`, rejectedBy);
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
      throw whyNot('promote', known);
  }
  if (command.productionBusyWith && command.productionBusyWith !== known.build.buildId) {
    throw new ProductionBusy(
      'promote',
      `another build of ${policy.name} (${command.productionBusyWith}) is being deployed to production; try again when it is done`,
    );
  }
  const { buildId, project, image, productionUrl } = known.build;
  const { digest, pinnedImage } = known.bits;
  return [
    draft('ProductionDeploymentRequested', {
      buildId,
      attemptId: productionAttemptId(buildId, attempt),
      project,
      image: pinnedImage ?? image,
      ...(digest ? { digest } : {}),
      url: productionUrl,
      by: user,
      attempt,
      rolloutDeadline: command.rolloutDeadline,
    }),
  ];
};

/**
 * Owners close a build that is not in (or on its way to) production; its preview is torn down.
 * Closing again after a teardown that failed tries the teardown again (also for a shipped build).
 */
const close = (command: Command<'CloseBuild'>, state: Build): BuildEventDraft[] => {
  const known = requireKnown(state, 'close');
  if (!command.policy.owners.includes(command.user))
    throw new NotAllowed('close', `only the owners of ${command.policy.name} can close builds`);
  const { buildId, project, type, target } = known.build;
  const n = (known.teardown?.n ?? 0) + 1;
  const teardown = (reason: TeardownReason) =>
    draft('PreviewTeardownRequested', { buildId, attemptId: teardownAttemptId(buildId, n), project, type, target, reason });
  switch (known.status) {
    case 'Registered':
    case 'PreviewDeploying':
    case 'PreviewFailed':
    case 'AwaitingQa':
    case 'Approved':
    case 'ProductionFailed':
      return [
        draft('BuildClosed', { buildId, attemptId: teardownAttemptId(buildId, n), by: command.user, project, type, target }),
        teardown('closed'),
      ];
    case 'ProductionDeploying':
      throw new IllegalState('close', 'this build is being deployed to production; close it once the deployment is done');
    case 'Closed':
    case 'InProduction':
    case 'Expired':
      if (known.teardown?.status === 'failed')
        return [teardown(known.teardown.reason ?? (known.status === 'InProduction' ? 'in-production' : 'closed'))];
      throw whyNot('close', known);
    case 'Superseded':
      throw whyNot('close', known);
    default: {
      const _exhaustive: never = known;
      return _exhaustive;
    }
  }
};

/**
 * An owner clicked **Roll back** on the announcement of the build production runs: the previous
 * release (this `state`; Unknown when there is none) is deployed again, its digest, as a new
 * production attempt of that build with the usual lock and deadline.
 */
const rollBack = (command: Command<'RollBack'>, state: Build): BuildEventDraft[] => {
  const { policy, user, clicked, current, previous } = command;
  if (!policy.owners.includes(user)) throw new NotAllowed('rollback', `only the owners of ${policy.name} can roll production back`);
  if (current !== clicked) {
    throw new IllegalState(
      'rollback',
      current
        ? `this build is no longer what runs in production (build ${current} is); roll back from that build's announcement`
        : `this build is not in production`,
    );
  }
  if (!previous || state.status === 'Unknown')
    throw new IllegalState('rollback', `nothing to roll back to: this is the first production release of ${policy.name}`);
  if (command.productionBusyWith) {
    throw new ProductionBusy(
      'rollback',
      `a build of ${policy.name} (${command.productionBusyWith}) is being deployed to production; try again when it is done`,
    );
  }
  if (state.status !== 'InProduction')
    throw new IllegalState(
      'rollback',
      `the previous release (build ${state.build.buildId}) cannot be deployed again: it is ${state.status}`,
    );
  const { buildId, project, image, productionUrl } = state.build;
  const digest = previous.digest ?? state.bits.digest;
  const attempt = state.attempt + 1;
  return [
    draft('ProductionDeploymentRequested', {
      buildId,
      attemptId: productionAttemptId(buildId, attempt),
      project,
      image: digest ? pinned(image, digest) : image,
      ...(digest ? { digest } : {}),
      url: productionUrl,
      by: user,
      attempt,
      rolloutDeadline: command.rolloutDeadline,
      rollbackOf: clicked,
    }),
  ];
};

// ── Outcomes: only the current attempt's outcome changes the build ─────────────────────

const deploymentSucceeded = (command: Command<'RecordDeploymentSucceeded'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown') return [];
  const buildId = state.build.buildId;
  if (command.environment === 'preview') {
    if (state.status === 'PreviewDeploying' && state.previewAttemptId === command.requestId) {
      const pinnedImage = command.digest ? pinned(state.build.image, command.digest) : undefined;
      const from = Date.parse(command.now);
      return [
        draft('PreviewDeployed', { buildId, url: command.url, ...(command.digest ? { digest: command.digest, pinnedImage } : {}) }),
        ...previewTimers(state, command.policy, from),
        ...approvalTimers(state, command.policy, from),
      ];
    }
    if (redeployedWithOtherBits(state, command)) {
      // QA approved other bits: the new ones are a new build that needs QA again.
      return supersede(
        {
          type: 'SupersedeBuild',
          supersededBy: command.newBuildId,
          newImage: pinned(state.build.image, command.digest!),
          reason: 'digest-changed',
        },
        state,
      );
    }
    return late(state, command.requestId, 'succeeded', command.url);
  }
  if (state.status !== 'ProductionDeploying' || state.productionAttemptId !== command.requestId)
    return late(state, command.requestId, 'succeeded', command.url);
  const { by, rollback } = state;
  const deployed = draft('ProductionDeployed', {
    buildId,
    url: command.url,
    by,
    ...(command.digest ? { digest: command.digest } : {}),
    ...(command.release ? { release: command.release } : {}),
    ...(command.previous ? { previous: command.previous } : {}),
    ...(rollback ? { rollbackOf: rollback.of } : {}),
  });
  // A rollback's preview went when the build first shipped (or is kept on purpose).
  if (!command.policy.removePreviewAfterProduction || rollback) return [deployed];
  const { project, type, target } = state.build;
  const n = (state.teardown?.n ?? 0) + 1;
  return [
    deployed,
    draft('PreviewTeardownRequested', {
      buildId,
      attemptId: teardownAttemptId(buildId, n),
      project,
      type,
      target,
      reason: 'in-production',
    }),
  ];
};

/**
 * A later release runs in production now: a build whose release ran there says it left (once per
 * replacing release). Nothing else changes: it stays shipped, and **Roll back** may return to it.
 */
const productionReplaced = (command: Command<'RecordProductionReplaced'>, state: Build): BuildEventDraft[] => {
  if (state.status !== 'InProduction') return [];
  const { replacedBy, release, by, rolledBack } = command;
  if (replacedBy === state.build.buildId || state.replacedBy?.release === release) return [];
  return [draft('ProductionReplaced', { buildId: state.build.buildId, replacedBy, release, by, rolledBack })];
};

const deploymentFailed = (command: Command<'RecordDeploymentFailed'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown') return [];
  const buildId = state.build.buildId;
  if (command.environment === 'preview') {
    if (state.status === 'PreviewDeploying' && state.previewAttemptId === command.requestId) {
      return [
        draft('PreviewDeploymentFailed', { buildId, reason: command.reason, cause: 'deployer' }),
        ...failedPreviewExpiry(state, command.policy, command.now),
      ];
    }
    return late(state, command.requestId, 'failed', command.reason);
  }
  if (state.status !== 'ProductionDeploying' || state.productionAttemptId !== command.requestId)
    return late(state, command.requestId, 'failed', command.reason);
  const { by, attempt } = state;
  return [draft('ProductionDeploymentFailed', { buildId, reason: command.reason, by, attempt, cause: 'deployer', ...rollbackOf(state) })];
};

const previewTornDown = (command: Command<'RecordPreviewTornDown'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown') return [];
  const { teardown } = state;
  if (teardown?.attemptId !== command.requestId || teardown.status !== 'requested')
    return late(state, command.requestId, 'torn-down', command.deleted.join(', '));
  const reason = teardown.reason ?? (state.status === 'InProduction' ? 'in-production' : 'closed');
  return [draft('PreviewRemoved', { buildId: state.build.buildId, deleted: command.deleted, attemptId: command.requestId, reason })];
};

/** No outcome in time (or the request was dead-lettered): the attempt failed, people are told, locks are released. */
const expireAttempt = (command: Command<'ExpireAttempt'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown') return [];
  const buildId = state.build.buildId;
  const { attemptId, reason, cause } = command;
  switch (command.kind) {
    case 'preview':
      return state.status === 'PreviewDeploying' && state.previewAttemptId === attemptId
        ? [draft('PreviewDeploymentFailed', { buildId, reason, cause }), ...failedPreviewExpiry(state, command.policy, command.now)]
        : [];
    case 'production':
      return state.status === 'ProductionDeploying' && state.productionAttemptId === attemptId
        ? [draft('ProductionDeploymentFailed', { buildId, reason, by: state.by, attempt: state.attempt, cause, ...rollbackOf(state) })]
        : [];
    case 'teardown':
      return state.teardown?.attemptId === attemptId && state.teardown.status === 'requested'
        ? [draft('PreviewTeardownFailed', { buildId, attemptId, reason, cause })]
        : [];
    default: {
      const _exhaustive: never = command.kind;
      return _exhaustive;
    }
  }
};

// ── Timers: preview expiry (previews.ttl), approval reminders and expiry (approvals.*) ──

/** Builds whose preview runs and may still be shipped: what a preview's TTL applies to, and what Keep extends. */
const PREVIEW_LIVE = ['AwaitingQa', 'Approved', 'ProductionFailed'] as const;
const previewIsLive = (state: KnownBuild): boolean => (PREVIEW_LIVE as readonly string[]).includes(state.status);

/** An expiry due during a production deployment waits this long and is decided again (by then the build shipped or failed). */
export const EXPIRY_PUT_OFF_MS = 60_000;

/** An owner keeps the preview another `previews.ttl` from the click (each click extends it again). */
const keep = (command: Command<'KeepPreview'>, state: Build): BuildEventDraft[] => {
  const known = requireKnown(state, 'keep');
  const { policy, user, now } = command;
  if (!policy.owners.includes(user)) throw new NotAllowed('keep', `only the owners of ${policy.name} can keep previews`);
  if (policy.previewTtlMs === undefined) throw new IllegalState('keep', `previews of ${policy.name} do not expire (no previews.ttl)`);
  if (!previewIsLive(known)) throw whyNot('keep', known);
  const timers = previewTimers(known, policy, Date.parse(now));
  const until = timers.find((t) => t.type === 'TimerScheduled' && t.data.kind === 'preview-expiry');
  if (until?.type !== 'TimerScheduled') return [];
  return [draft('PreviewKept', { buildId: known.build.buildId, by: user, until: until.data.dueAt }), ...timers];
};

/** A timer is due: what it means for the build as it is now. A timer scheduled again, or of a build that moved on, does nothing. */
const fireTimer = (command: Command<'FireTimer'>, state: Build): BuildEventDraft[] => {
  if (state.status === 'Unknown' || state.timers[command.kind]?.timerId !== command.timerId) return [];
  const buildId = state.build.buildId;
  const now = Date.parse(command.now);
  switch (command.kind) {
    case 'preview-reminder': {
      const expiresAt = state.timers['preview-expiry']?.dueAt;
      return previewIsLive(state) && expiresAt ? [draft('PreviewExpiryReminded', { buildId, expiresAt })] : [];
    }
    case 'preview-expiry':
      if (state.status === 'ProductionDeploying') return [timer(state, 'preview-expiry', now + EXPIRY_PUT_OFF_MS)];
      // What a failed rollout left behind goes quietly: the build stays failed, with its reason.
      if (state.status === 'PreviewFailed') return state.teardown ? [] : [teardownRequest(state, 'expired')];
      return previewIsLive(state) ? expire(state, 'preview-ttl') : [];
    case 'qa-reminder':
    case 'owner-reminder': {
      const waiting = notAnswered(state, command.policy);
      if (waiting.length === 0) return [];
      const audience = command.kind === 'qa-reminder' ? 'qa' : 'owners';
      const reminded = draft('ApprovalReminded', { buildId, audience, waitingFor: waiting });
      const remindAfter = command.policy.approvalsRemindAfterMs;
      return audience === 'qa' && remindAfter !== undefined ? [reminded, timer(state, 'owner-reminder', now + remindAfter)] : [reminded];
    }
    case 'approval-expiry':
      return state.status === 'AwaitingQa' || state.status === 'Approved' ? expire(state, 'approval-ttl') : [];
    default: {
      const _exhaustive: never = command.kind;
      return _exhaustive;
    }
  }
};

/**
 * CI says the branch is gone: an open build of it expires and its preview is torn down; a build
 * that ended with its preview still up (shipped with `removeAfterProduction: false`, a teardown
 * that failed) only has the preview torn down. A production deployment in flight is left to finish.
 */
const branchDeleted = (state: Build): BuildEventDraft[] => {
  switch (state.status) {
    case 'Unknown':
    case 'ProductionDeploying':
    case 'Superseded':
      return [];
    case 'Registered':
    case 'PreviewDeploying':
    case 'PreviewFailed':
    case 'AwaitingQa':
    case 'Approved':
    case 'ProductionFailed':
      return expire(state, 'branch-deleted');
    case 'InProduction':
    case 'Closed':
    case 'Expired': {
      const { teardown } = state;
      if (teardown?.status === 'removed' || teardown?.status === 'requested') return [];
      return [teardownRequest(state, 'branch-deleted')];
    }
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};

/** The build ends as expired and its preview is torn down. */
const expire = (state: KnownBuild, why: ExpiryWhy): BuildEventDraft[] => {
  const { buildId, project, type, target } = state.build;
  return [
    draft('BuildExpired', { buildId, why, project, type, target }),
    teardownRequest(state, why === 'branch-deleted' ? 'branch-deleted' : 'expired'),
  ];
};

const teardownRequest = (state: KnownBuild, reason: TeardownReason): BuildEventDraft => {
  const { buildId, project, type, target } = state.build;
  const n = (state.teardown?.n ?? 0) + 1;
  return draft('PreviewTeardownRequested', { buildId, attemptId: teardownAttemptId(buildId, n), project, type, target, reason });
};

/** The preview's expiry (and the owners' reminder before it), `previews.ttl` from `fromMs`. */
const previewTimers = (state: KnownBuild, policy: ProjectPolicy, fromMs: number): BuildEventDraft[] => {
  if (policy.previewTtlMs === undefined) return [];
  const expiresAt = fromMs + policy.previewTtlMs;
  const remindBefore = policy.previewRemindBeforeMs ?? 0;
  const reminder =
    remindBefore > 0 && remindBefore < policy.previewTtlMs ? [timer(state, 'preview-reminder', expiresAt - remindBefore)] : [];
  return [...reminder, timer(state, 'preview-expiry', expiresAt)];
};

/** A preview that failed to come up still has objects in the cluster: they are removed `previews.ttl` later (no reminder: there is nothing to keep). */
const failedPreviewExpiry = (state: KnownBuild, policy: ProjectPolicy, now: string): BuildEventDraft[] =>
  policy.previewTtlMs === undefined ? [] : [timer(state, 'preview-expiry', Date.parse(now) + policy.previewTtlMs)];

/** Once QA can start: the first nudge (when QA approvals are needed) and the approval's expiry. */
const approvalTimers = (state: KnownBuild, policy: ProjectPolicy, fromMs: number): BuildEventDraft[] => [
  ...(policy.approvalsRemindAfterMs !== undefined && policy.approvalsRequired > 0 && policy.qa.length > 0
    ? [timer(state, 'qa-reminder', fromMs + policy.approvalsRemindAfterMs)]
    : []),
  ...(policy.approvalsExpireAfterMs !== undefined ? [timer(state, 'approval-expiry', fromMs + policy.approvalsExpireAfterMs)] : []),
];

/** A timer of `kind`, replacing the one scheduled before (which can then no longer fire). */
const timer = (state: KnownBuild, kind: TimerKind, dueMs: number): BuildEventDraft => {
  const buildId = state.build.buildId;
  const n = (state.timers[kind]?.n ?? 0) + 1;
  return draft('TimerScheduled', { buildId, timerId: `${buildId}:${kind}:${n}`, kind, dueAt: new Date(dueMs).toISOString() });
};

/** QA members who have not answered a build that still waits for them (none once it is approved or rejected). */
const notAnswered = (state: KnownBuild, policy: ProjectPolicy): string[] => {
  if (state.status !== 'AwaitingQa' || rejectionsOf(state.verdicts).length > 0) return [];
  const answered = new Set(state.verdicts.map((v) => v.user));
  return policy.qa.filter((q) => !answered.has(q));
};

// ── Helpers ──────────────────────────────────────────────────────────────────────────

/** The preview's own attempt reported success again, with a digest other than the one QA saw. */
const redeployedWithOtherBits = (state: KnownBuild, command: Command<'RecordDeploymentSucceeded'>): boolean =>
  'previewAttemptId' in state &&
  state.previewAttemptId === command.requestId &&
  command.digest !== undefined &&
  state.bits.digest !== undefined &&
  state.bits.digest !== command.digest &&
  isSupersedable(state.status);

const rollbackOf = (state: KnownBuild): { rollbackOf?: string } =>
  state.status === 'ProductionDeploying' && state.rollback ? { rollbackOf: state.rollback.of } : {};

/** An outcome of an attempt approvals already ended is recorded once, and changes nothing. */
const late = (state: KnownBuild, attemptId: string, outcome: 'succeeded' | 'failed' | 'torn-down', detail: string): BuildEventDraft[] =>
  state.abandoned.includes(attemptId)
    ? [draft('LateOutcomeRecorded', { buildId: state.build.buildId, attemptId, outcome, detail: detail.slice(0, 500) })]
    : [];

/** `registry/app:1.2` + `sha256:…` → `registry/app@sha256:…` (a tag or an older digest is replaced). */
export const pinned = (image: string, digest: string): string => {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const tagColon = withoutDigest.indexOf(':', lastSlash + 1);
  const repository = tagColon === -1 ? withoutDigest : withoutDigest.slice(0, tagColon);
  return `${repository}@${digest}`;
};

const requireKnown = (state: Build, action: ActionKind): KnownBuild => {
  if (state.status === 'Unknown')
    throw new UnknownBuild(action, 'this build does not exist (it may have been removed, or the link is wrong)');
  return state;
};

/** Why a build in this state cannot take a person's action; shown to the person. */
const whyNot = (action: ActionKind, state: KnownBuild): IllegalState => {
  switch (state.status) {
    case 'Registered':
    case 'PreviewDeploying':
      return new IllegalState(action, 'the preview of this build is still being deployed');
    case 'PreviewFailed':
      return new IllegalState(action, `the preview of this build failed to deploy: ${state.reason}`);
    case 'AwaitingQa':
      return new IllegalState(action, 'this build is waiting for QA');
    case 'Approved':
      return new IllegalState(action, 'this build is already approved');
    case 'ProductionDeploying':
      return new IllegalState(action, 'this build is already being deployed to production');
    case 'ProductionFailed':
      return new IllegalState(action, 'this build has already been sent to production (the deployment failed; an owner can try again)');
    case 'InProduction':
      return new IllegalState(action, 'this build is already in production');
    case 'Closed':
      return new IllegalState(action, `this build was closed by ${named([state.by])}`, [state.by]);
    case 'Superseded':
      return new IllegalState(action, `this build was superseded by a newer build (${state.supersededBy})`);
    case 'Expired':
      return new IllegalState(action, `this build expired (${EXPIRY_TEXT[state.why]}); CI can send it again to start over`);
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
};

const EXPIRY_TEXT: Record<ExpiryWhy, string> = {
  'preview-ttl': 'its preview was not kept',
  'approval-ttl': 'nobody decided on it in time',
  'branch-deleted': 'its branch was deleted',
};

const pastTense = (verdict: 'approve' | 'reject'): string => (verdict === 'approve' ? 'approved' : 'rejected');
