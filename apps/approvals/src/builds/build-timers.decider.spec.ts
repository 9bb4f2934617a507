import { describe, it } from '@jest/globals';
import { DeciderSpecification } from '@event-driven-io/emmett';
import type { TimerKind } from '@app/contracts';
import {
  later,
  approvedBy,
  BUILD,
  closed,
  expired,
  HOUR,
  NOW,
  OWNER,
  policy,
  PREVIEW_ATTEMPT,
  previewLive,
  productionDeployed,
  productionRequested,
  QA1,
  QA2,
  registered,
  rejectedBy,
  STRANGER,
  teardownAttempt,
  teardownFailed,
  teardownRequested,
  timerScheduled,
} from '../../test/build-givens';
import type { BuildCommand, ProjectPolicy } from './build.commands';
import { decide, evolve, EXPIRY_PUT_OFF_MS, initialState } from './build.decider';
import { draft, type BuildEventDraft } from './build-event-draft';
import { BuildRefusal, IllegalState, NotAllowed } from './build.refusals';

const given = DeciderSpecification.for<BuildCommand, BuildEventDraft, ReturnType<typeof initialState>>({ decide, evolve, initialState });

const TTL = 72 * HOUR;
const REMIND_BEFORE = 24 * HOUR;
const expiring = (overrides: Partial<ProjectPolicy> = {}) =>
  policy({ previewTtlMs: TTL, previewRemindBeforeMs: REMIND_BEFORE, ...overrides });
const nudging = (overrides: Partial<ProjectPolicy> = {}) =>
  policy({ approvalsRemindAfterMs: 4 * HOUR, approvalsExpireAfterMs: 48 * HOUR, ...overrides });

const previewUp = (p: ProjectPolicy): BuildCommand => ({
  type: 'RecordDeploymentSucceeded',
  requestId: PREVIEW_ATTEMPT,
  environment: 'preview',
  url: 'https://staging.branch.example.org',
  policy: p,
  newBuildId: 'b-new',
  now: NOW,
});
const fire = (kind: TimerKind, n = 1, p = expiring(), now = NOW): BuildCommand => ({
  type: 'FireTimer',
  timerId: `${BUILD}:${kind}:${n}`,
  kind,
  policy: p,
  now,
});
const keepBy = (user = OWNER, p = expiring(), now = NOW): BuildCommand => ({ type: 'KeepPreview', policy: p, user, now });
const branchDeleted: BuildCommand = { type: 'RecordBranchDeleted' };

/** A live preview whose expiry (and the reminder before it) run from NOW. */
const expiringPreview = (): BuildEventDraft[] => [
  ...previewLive(),
  timerScheduled('preview-reminder', 1, later(TTL - REMIND_BEFORE)),
  timerScheduled('preview-expiry', 1, later(TTL)),
];
/** A live preview whose QA reminder and approval expiry run from NOW. */
const nudgedPreview = (): BuildEventDraft[] => [
  ...previewLive(),
  timerScheduled('qa-reminder', 1, later(4 * HOUR)),
  timerScheduled('approval-expiry', 1, later(48 * HOUR)),
];
const previewUpNoDigest = draft('PreviewDeployed', { buildId: BUILD, url: 'https://staging.branch.example.org' });
const refusedWith = (kind: new (...a: never[]) => BuildRefusal, text: RegExp) => (error: BuildRefusal) =>
  error instanceof kind && text.test(error.reason);

describe('preview expiry (previews.ttl)', () => {
  it('schedules the owners reminder and the expiry when the preview comes up', () => {
    given(registered())
      .when(previewUp(expiring()))
      .then([
        previewUpNoDigest,
        timerScheduled('preview-reminder', 1, later(TTL - REMIND_BEFORE)),
        timerScheduled('preview-expiry', 1, later(TTL)),
      ]);
  });

  it('schedules nothing for a project whose previews do not expire', () => {
    given(registered()).when(previewUp(policy())).then([previewUpNoDigest]);
  });

  it('reminds the owners of the expiry while the preview waits for QA or for an owner', () => {
    const reminded = [draft('PreviewExpiryReminded', { buildId: BUILD, expiresAt: later(TTL) })];
    given(expiringPreview()).when(fire('preview-reminder')).then(reminded);
    given([...expiringPreview(), ...approvedBy(QA1)])
      .when(fire('preview-reminder'))
      .then(reminded);
  });

  it('expires the build at its time and tears the preview down', () => {
    given(expiringPreview()).when(fire('preview-expiry')).then(expired('preview-ttl'));
  });

  it('keeps the preview another TTL from the click when an owner clicks Keep', () => {
    const now = later(TTL - HOUR);
    given(expiringPreview())
      .when(keepBy(OWNER, expiring(), now))
      .then([
        draft('PreviewKept', { buildId: BUILD, by: OWNER, until: later(TTL, now) }),
        timerScheduled('preview-reminder', 2, later(TTL - REMIND_BEFORE, now)),
        timerScheduled('preview-expiry', 2, later(TTL, now)),
      ]);
  });

  it('lets the timer a Keep replaced fire without effect', () => {
    const kept = [
      ...expiringPreview(),
      draft('PreviewKept', { buildId: BUILD, by: OWNER, until: later(2 * TTL) }),
      timerScheduled('preview-reminder', 2, later(2 * TTL - REMIND_BEFORE)),
      timerScheduled('preview-expiry', 2, later(2 * TTL)),
    ];
    given(kept).when(fire('preview-expiry', 1)).then([]);
    given(kept).when(fire('preview-reminder', 1)).then([]);
    given(kept).when(fire('preview-expiry', 2)).then(expired('preview-ttl'));
  });

  it('refuses Keep from someone who is not an owner', () => {
    given(expiringPreview())
      .when(keepBy(QA1))
      .thenThrows(refusedWith(NotAllowed, /^only the owners of Testing One can keep previews$/));
  });

  it('refuses Keep when the project sets no previews.ttl', () => {
    given(previewLive())
      .when(keepBy(OWNER, policy()))
      .thenThrows(refusedWith(IllegalState, /do not expire \(no previews.ttl\)/));
  });

  it('refuses Keep once the build expired, saying CI can send it again', () => {
    given([...expiringPreview(), ...expired('preview-ttl')])
      .when(keepBy())
      .thenThrows(refusedWith(IllegalState, /^this build expired \(its preview was not kept\); CI can send it again to start over$/));
  });

  it('puts an expiry that falls during a production deployment off, to be decided after its outcome', () => {
    given([...expiringPreview(), ...approvedBy(QA1), productionRequested()])
      .when(fire('preview-expiry'))
      .then([timerScheduled('preview-expiry', 2, later(EXPIRY_PUT_OFF_MS))]);
  });

  it('removes what a failed preview left behind a TTL after it failed, quietly: the build stays failed', () => {
    const failedNow: BuildCommand = {
      type: 'RecordDeploymentFailed',
      requestId: PREVIEW_ATTEMPT,
      environment: 'preview',
      reason: 'ImagePullBackOff',
      policy: expiring(),
      now: NOW,
    };
    const failedPreview = draft('PreviewDeploymentFailed', { buildId: BUILD, reason: 'ImagePullBackOff', cause: 'deployer' });
    given(registered())
      .when(failedNow)
      .then([failedPreview, timerScheduled('preview-expiry', 1, later(TTL))]);
    given(registered())
      .when({ ...failedNow, policy: policy() })
      .then([failedPreview]);
    given([...registered(), failedPreview, timerScheduled('preview-expiry', 1, later(TTL))])
      .when(fire('preview-expiry'))
      .then([teardownRequested(1, 'expired')]);
  });

  it('gives a failed preview whose deployer never answered the same expiry', () => {
    given(registered())
      .when({
        type: 'ExpireAttempt',
        attemptId: PREVIEW_ATTEMPT,
        kind: 'preview',
        cause: 'deadline',
        reason: 'no answer',
        policy: expiring(),
        now: NOW,
      })
      .then([
        draft('PreviewDeploymentFailed', { buildId: BUILD, reason: 'no answer', cause: 'deadline' }),
        timerScheduled('preview-expiry', 1, later(TTL)),
      ]);
  });

  it('never expires a build in production', () => {
    given([...expiringPreview(), ...approvedBy(QA1), productionRequested(), productionDeployed(), teardownRequested(1, 'in-production')])
      .when(fire('preview-expiry'))
      .then([]);
  });

  it('refuses verdicts on an expired build', () => {
    given([...expiringPreview(), ...expired('preview-ttl')])
      .when({ type: 'GiveVerdict', policy: expiring(), user: QA2, verdict: 'approve' })
      .thenThrows(refusedWith(IllegalState, /^this build expired/));
  });

  it('records the removal of an expired preview with its reason, and retries a failed one on Close', () => {
    given([...expiringPreview(), ...expired('preview-ttl')])
      .when({ type: 'RecordPreviewTornDown', requestId: teardownAttempt(1), deleted: ['Deployment/x'] })
      .then([draft('PreviewRemoved', { buildId: BUILD, deleted: ['Deployment/x'], attemptId: teardownAttempt(1), reason: 'expired' })]);
    given([...expiringPreview(), ...expired('preview-ttl'), teardownFailed(1)])
      .when({ type: 'CloseBuild', policy: expiring(), user: OWNER })
      .then([teardownRequested(2, 'expired')]);
  });
});

describe('a deleted branch (POST /branch-deleted)', () => {
  it('expires an open build of the branch and tears its preview down', () => {
    given(previewLive()).when(branchDeleted).then(expired('branch-deleted'));
    given(registered()).when(branchDeleted).then(expired('branch-deleted'));
  });

  it('tears down the preview a shipped build kept (removeAfterProduction: false), without ending anything else', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionDeployed()])
      .when(branchDeleted)
      .then([teardownRequested(1, 'branch-deleted')]);
  });

  it('does nothing when the preview is gone or going already, or production is being deployed', () => {
    given([...previewLive(), ...closed()])
      .when(branchDeleted)
      .then([]);
    given([...previewLive(), ...expired('branch-deleted')])
      .when(branchDeleted)
      .then([]);
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(branchDeleted)
      .then([]);
    given([]).when(branchDeleted).then([]);
  });
});

describe('approval reminders and expiry (approvals.remindAfter, approvals.expireAfter)', () => {
  it('schedules the QA reminder and the approval expiry when the preview comes up', () => {
    given(registered())
      .when(previewUp(nudging()))
      .then([previewUpNoDigest, timerScheduled('qa-reminder', 1, later(4 * HOUR)), timerScheduled('approval-expiry', 1, later(48 * HOUR))]);
  });

  it('schedules no QA reminder when owners may ship without QA', () => {
    given(registered())
      .when(previewUp(nudging({ approvalsRequired: 0 })))
      .then([previewUpNoDigest, timerScheduled('approval-expiry', 1, later(48 * HOUR))]);
  });

  it('nudges the QA members who have not answered, then schedules the owners reminder', () => {
    const now = later(4 * HOUR);
    given([...nudgedPreview(), draft('QaApproved', { buildId: BUILD, by: QA1, approvals: [QA1], required: 2 })])
      .when(fire('qa-reminder', 1, nudging({ approvalsRequired: 2 }), now))
      .then([
        draft('ApprovalReminded', { buildId: BUILD, audience: 'qa', waitingFor: [QA2] }),
        timerScheduled('owner-reminder', 1, later(4 * HOUR, now)),
      ]);
  });

  it('then tells the owners who still has not answered', () => {
    given([...nudgedPreview(), timerScheduled('owner-reminder', 1, later(8 * HOUR))])
      .when(fire('owner-reminder', 1, nudging()))
      .then([draft('ApprovalReminded', { buildId: BUILD, audience: 'owners', waitingFor: [QA1, QA2] })]);
  });

  it('nudges nobody once the build is approved or rejected', () => {
    given([...nudgedPreview(), ...approvedBy(QA1)])
      .when(fire('qa-reminder', 1, nudging()))
      .then([]);
    given([...nudgedPreview(), rejectedBy(QA2)])
      .when(fire('qa-reminder', 1, nudging()))
      .then([]);
  });

  it('expires a build still waiting for QA or for an owner, and tears its preview down', () => {
    given(nudgedPreview())
      .when(fire('approval-expiry', 1, nudging()))
      .then(expired('approval-ttl'));
    given([...nudgedPreview(), ...approvedBy(QA1)])
      .when(fire('approval-expiry', 1, nudging()))
      .then(expired('approval-ttl'));
  });

  it('leaves a build that is being shipped alone', () => {
    given([...nudgedPreview(), ...approvedBy(QA1), productionRequested()])
      .when(fire('approval-expiry', 1, nudging()))
      .then([]);
  });

  it('refuses a click on an expired build from anyone, owners included', () => {
    given([...nudgedPreview(), ...expired('approval-ttl')])
      .when({ type: 'PromoteBuild', policy: nudging(), user: OWNER, rolloutDeadline: NOW })
      .thenThrows(refusedWith(IllegalState, /nobody decided on it in time/));
    given([...nudgedPreview(), ...expired('approval-ttl')])
      .when(keepBy(STRANGER, nudging()))
      .thenThrows(NotAllowed);
  });
});
