import { describe, expect, it } from '@jest/globals';
import { DeciderSpecification } from '@event-driven-io/emmett';
import {
  approvedBy,
  BUILD,
  closed,
  DEADLINE,
  DIGEST,
  NOW,
  IMAGE,
  OTHER_DIGEST,
  OWNER,
  PINNED,
  policy,
  PREVIEW_ATTEMPT,
  previewDeployed,
  previewLive,
  productionAttempt,
  productionDeployed,
  productionFailed,
  productionRequested,
  QA1,
  QA2,
  registered,
  rejectedBy,
  STRANGER,
  superseded,
  teardownAttempt,
  teardownFailed,
  teardownRequested,
} from '../../test/build-givens';
import type { BuildCommand } from './build.commands';
import { decide, evolve, initialState, pinned } from './build.decider';
import type { BuildEventDraft } from './build-event-draft';
import { BuildRefusal, IllegalState, NotAllowed, NotEnoughApprovals, ProductionBusy, UnknownBuild } from './build.refusals';

const given = DeciderSpecification.for<BuildCommand, BuildEventDraft, ReturnType<typeof initialState>>({ decide, evolve, initialState });

const register: BuildCommand = {
  type: 'RegisterBuild',
  buildId: BUILD,
  requestId: 'ci-1',
  policy: policy(),
  buildType: 'branch',
  target: 'staging',
  image: IMAGE,
  previewUrl: 'https://staging.branch.example.org',
  productionUrl: 'https://example.org',
  rolloutDeadline: DEADLINE,
};
const verdict = (user: string, v: 'approve' | 'reject' = 'approve', p = policy()): BuildCommand => ({
  type: 'GiveVerdict',
  policy: p,
  user,
  verdict: v,
});
const promote = (user = OWNER, p = policy(), productionBusyWith?: string): BuildCommand => ({
  type: 'PromoteBuild',
  policy: p,
  user,
  productionBusyWith,
  rolloutDeadline: DEADLINE,
});
const closeBy = (user = OWNER): BuildCommand => ({ type: 'CloseBuild', policy: policy(), user });
const succeeded = (requestId: string, environment: 'preview' | 'production', digest?: string, p = policy()): BuildCommand => ({
  type: 'RecordDeploymentSucceeded',
  requestId,
  environment,
  url: environment === 'preview' ? 'https://staging.branch.example.org' : 'https://example.org',
  ...(digest ? { digest } : {}),
  policy: p,
  newBuildId: 'b-new',
  now: NOW,
});
const failed = (requestId: string, environment: 'preview' | 'production', reason = 'ImagePullBackOff'): BuildCommand => ({
  type: 'RecordDeploymentFailed',
  requestId,
  environment,
  reason,
  policy: policy(),
  now: NOW,
});
const expire = (
  attemptId: string,
  kind: 'preview' | 'production' | 'teardown',
  cause: 'deadline' | 'dead-letter' = 'deadline',
): BuildCommand => ({
  type: 'ExpireAttempt',
  attemptId,
  kind,
  cause,
  reason: 'no answer from the deployer within 6 min',
  policy: policy(),
  now: NOW,
});
const refusedWith = (kind: new (...a: never[]) => BuildRefusal, text: RegExp | string, people?: string[]) => (error: BuildRefusal) =>
  error instanceof kind &&
  (typeof text === 'string' ? error.reason === text : text.test(error.reason)) &&
  (!people || JSON.stringify(error.people) === JSON.stringify(people));

describe('registering a build', () => {
  it('registers a new build with the project roles and requests its preview with a deadline', () => {
    given([])
      .when(register)
      .then([
        ...registered().slice(0, 1),
        {
          type: 'PreviewDeploymentRequested',
          data: {
            buildId: BUILD,
            attemptId: PREVIEW_ATTEMPT,
            project: 'test1',
            type: 'branch',
            target: 'staging',
            image: IMAGE,
            url: 'https://staging.branch.example.org',
            rolloutDeadline: DEADLINE,
          },
        },
      ]);
  });

  it('refuses to register a build id twice', () => {
    given(registered()).when(register).thenThrows(IllegalState);
  });
});

describe('superseding a build', () => {
  const supersede: BuildCommand = {
    type: 'SupersedeBuild',
    supersededBy: 'b-2',
    newImage: 'registry.example.org/shop:1.0.1',
    reason: 'newer-build',
  };

  it.each([
    ['preview deploying', registered()],
    [
      'preview failed',
      [...registered(), { type: 'PreviewDeploymentFailed', data: { buildId: BUILD, reason: 'x', cause: 'deployer' } } as BuildEventDraft],
    ],
    ['waiting for QA', previewLive()],
    ['approved', [...previewLive(), ...approvedBy(QA1)]],
    ['failed in production', [...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed()]],
  ])('supersedes an open build (%s)', (_, history) => {
    given(history).when(supersede).then([superseded()]);
  });

  it.each([
    ['closed', [...previewLive(), ...closed()]],
    ['already superseded', [...previewLive(), superseded()]],
    ['deploying to production', [...previewLive(), ...approvedBy(QA1), productionRequested()]],
    ['in production', [...previewLive(), ...approvedBy(QA1), productionRequested(), productionDeployed()]],
  ])('does not supersede a build that has ended or is on its way to production (%s)', (_, history) => {
    given(history).when(supersede).thenThrows(IllegalState);
  });
});

describe('QA verdicts', () => {
  it('approves the build when the required approval comes in', () => {
    given(previewLive()).when(verdict(QA1)).then(approvedBy(QA1));
  });

  it('records an approval without approving the build while more are required', () => {
    given(previewLive())
      .when(verdict(QA1, 'approve', policy({ approvalsRequired: 2 })))
      .then([{ type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 2 } }]);
  });

  it('approves once the second of two required approvals comes in', () => {
    const first: BuildEventDraft = { type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 2 } };
    given([...previewLive(), first])
      .when(verdict(QA2, 'approve', policy({ approvalsRequired: 2 })))
      .then([
        { type: 'QaApproved', data: { buildId: BUILD, by: QA2, approvals: [QA1, QA2], required: 2 } },
        { type: 'BuildApproved', data: { buildId: BUILD, approvedBy: [QA1, QA2] } },
      ]);
  });

  it('does not approve a build that a QA member rejected, whatever the approvals', () => {
    given([...previewLive(), rejectedBy(QA2)])
      .when(verdict(QA1))
      .then([{ type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 1 } }]);
  });

  it('records a rejection, also after an approval', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(verdict(QA2, 'reject'))
      .then([rejectedBy(QA2)]);
  });

  it('changes nothing when a QA member clicks the same verdict again', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(verdict(QA1))
      .thenNothingHappened();
  });

  it('refuses a different verdict from a QA member who already gave one', () => {
    given([...previewLive(), rejectedBy(QA1)])
      .when(verdict(QA1))
      .thenThrows(refusedWith(IllegalState, 'you already rejected this build'));
  });

  it('refuses a verdict from someone outside the QA team', () => {
    given(previewLive()).when(verdict(STRANGER)).thenThrows(refusedWith(NotAllowed, 'only the QA team of Testing One can approve builds'));
  });

  it.each([
    ['the preview is still deploying', registered(), 'the preview of this build is still being deployed'],
    [
      'the build is in production',
      [...previewLive(), ...approvedBy(QA1), productionRequested(), productionDeployed()],
      'this build is already in production',
    ],
    ['the build was superseded', [...previewLive(), superseded()], 'this build was superseded by a newer build (b-2)'],
  ])('refuses a verdict when %s', (_, history, reason) => {
    given(history).when(verdict(QA1)).thenThrows(refusedWith(IllegalState, reason));
  });

  it('names the person who closed the build as a user id, not as Slack markup', () => {
    given([...previewLive(), ...closed()])
      .when(verdict(QA1))
      .thenThrows(refusedWith(IllegalState, `this build was closed by @${OWNER}`, [OWNER]));
  });

  it('refuses a verdict on a build that does not exist', () => {
    given([]).when(verdict(QA1)).thenThrows(UnknownBuild);
  });
});

describe('promotion to production', () => {
  it('deploys the digest the preview ran, not the tag, with a deadline', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(promote())
      .then([productionRequested()]);
  });

  it('falls back to the image as sent when the cluster reported no digest', () => {
    given([
      ...registered(),
      { type: 'PreviewDeployed', data: { buildId: BUILD, url: 'https://staging.branch.example.org' } },
      ...approvedBy(QA1),
    ])
      .when(promote())
      .then([
        {
          type: 'ProductionDeploymentRequested',
          data: {
            buildId: BUILD,
            attemptId: productionAttempt(1),
            project: 'test1',
            image: IMAGE,
            url: 'https://example.org',
            by: OWNER,
            attempt: 1,
            rolloutDeadline: DEADLINE,
          },
        },
      ]);
  });

  it('refuses promotion before enough QA approvals are in, saying how many', () => {
    given(previewLive()).when(promote()).thenThrows(refusedWith(NotEnoughApprovals, 'needs 1 QA approval, has 0'));
  });

  it('lets owners promote any live preview when no approvals are required', () => {
    given(previewLive())
      .when(promote(OWNER, policy({ approvalsRequired: 0 })))
      .then([productionRequested()]);
  });

  it('refuses promotion of a rejected build, naming who rejected it', () => {
    given([...previewLive(), rejectedBy(QA2)])
      .when(promote(OWNER, policy({ approvalsRequired: 0 })))
      .thenThrows(refusedWith(IllegalState, `this build was rejected by @${QA2}`, [QA2]));
  });

  it('refuses promotion by someone who is not an owner', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(promote(STRANGER))
      .thenThrows(NotAllowed);
  });

  it('refuses a second promotion while the first is deploying', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(promote())
      .thenThrows(refusedWith(IllegalState, 'this build is already being deployed to production'));
  });

  it('refuses promotion while another build of the project is deploying to production', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(promote(OWNER, policy(), 'b-other'))
      .thenThrows(ProductionBusy);
  });

  it('lets an owner try again after a failed production deployment, as a new attempt', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed()])
      .when(promote())
      .then([productionRequested(2)]);
  });

  it('lets an owner try again after the deadline failed the deployment', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed(1, 'deadline')])
      .when(promote())
      .then([productionRequested(2)]);
  });
});

describe('closing a build', () => {
  it('closes an open build and asks for its preview to be torn down', () => {
    given(previewLive()).when(closeBy()).then(closed());
  });

  it('closes a build whose production deployment failed', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed()])
      .when(closeBy())
      .then(closed());
  });

  it('refuses to close for someone who is not an owner', () => {
    given(previewLive()).when(closeBy(STRANGER)).thenThrows(NotAllowed);
  });

  it.each([
    ['deploying to production', [...previewLive(), ...approvedBy(QA1), productionRequested()]],
    ['in production', [...previewLive(), ...approvedBy(QA1), productionRequested(), productionDeployed()]],
    ['closed', [...previewLive(), ...closed()]],
    ['superseded', [...previewLive(), superseded()]],
  ])('refuses to close a build that is %s', (_, history) => {
    given(history).when(closeBy()).thenThrows(IllegalState);
  });

  it('tries the teardown again when an owner closes after it failed', () => {
    given([...previewLive(), ...closed(), teardownFailed()])
      .when(closeBy())
      .then([teardownRequested(2, 'closed')]);
  });

  it('tries the teardown of a shipped build again when an owner closes after it failed', () => {
    given([
      ...previewLive(),
      ...approvedBy(QA1),
      productionRequested(),
      productionDeployed(),
      teardownRequested(1, 'in-production'),
      teardownFailed(),
    ])
      .when(closeBy())
      .then([teardownRequested(2, 'in-production')]);
  });
});

describe('deployment outcomes', () => {
  it('marks the preview live with the digest its pods run and the image production will run', () => {
    given(registered())
      .when(succeeded(PREVIEW_ATTEMPT, 'preview', DIGEST))
      .then([previewDeployed(DIGEST)]);
  });

  it("records the deployer's reason when the preview failed", () => {
    given(registered())
      .when(failed(PREVIEW_ATTEMPT, 'preview', 'ImagePullBackOff: not found'))
      .then([{ type: 'PreviewDeploymentFailed', data: { buildId: BUILD, reason: 'ImagePullBackOff: not found', cause: 'deployer' } }]);
  });

  it('ignores the outcome of an attempt that is not the current one', () => {
    given(registered())
      .when(succeeded('an-old-request', 'preview', DIGEST))
      .thenNothingHappened();
  });

  it('ignores a preview outcome that arrives after the build was superseded', () => {
    given([...registered(), superseded()])
      .when(succeeded(PREVIEW_ATTEMPT, 'preview', DIGEST))
      .thenNothingHappened();
  });

  it('ignores the same preview outcome again', () => {
    given(previewLive())
      .when(succeeded(PREVIEW_ATTEMPT, 'preview', DIGEST))
      .thenNothingHappened();
  });

  it('makes other bits in the preview a new build that needs QA again', () => {
    given([...previewLive(), ...approvedBy(QA1)])
      .when(succeeded(PREVIEW_ATTEMPT, 'preview', OTHER_DIGEST))
      .then([
        {
          type: 'BuildSuperseded',
          data: { buildId: BUILD, supersededBy: 'b-new', newImage: `registry.example.org/shop@${OTHER_DIGEST}`, reason: 'digest-changed' },
        },
      ]);
  });

  it('marks the build in production and asks for its preview to be removed', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(succeeded(productionAttempt(1), 'production', DIGEST))
      .then([productionDeployed(), teardownRequested(1, 'in-production')]);
  });

  it('keeps the preview of a shipped build when the project says so', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(succeeded(productionAttempt(1), 'production', DIGEST, policy({ removePreviewAfterProduction: false })))
      .then([productionDeployed()]);
  });

  it('records a failed production deployment with its attempt number', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed(), productionRequested(2)])
      .when(failed(productionAttempt(2), 'production', 'ProgressDeadlineExceeded'))
      .then([
        {
          type: 'ProductionDeploymentFailed',
          data: { buildId: BUILD, reason: 'ProgressDeadlineExceeded', by: OWNER, attempt: 2, cause: 'deployer' },
        },
      ]);
  });

  it('ignores the outcome of an earlier production attempt the deployer failed itself', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed(), productionRequested(2)])
      .when(failed(productionAttempt(1), 'production', 'late'))
      .thenNothingHappened();
  });

  it('ignores outcomes for a build that does not exist', () => {
    given([]).when(succeeded('x', 'preview')).thenNothingHappened();
  });

  it('records that the preview of a closed build was removed, once', () => {
    const removed: BuildEventDraft = {
      type: 'PreviewRemoved',
      data: { buildId: BUILD, deleted: ['Deployment/x'], attemptId: teardownAttempt(1), reason: 'closed' },
    };
    const tornDown: BuildCommand = { type: 'RecordPreviewTornDown', requestId: teardownAttempt(1), deleted: ['Deployment/x'] };
    given([...previewLive(), ...closed()])
      .when(tornDown)
      .then([removed]);
    given([...previewLive(), ...closed(), removed])
      .when(tornDown)
      .thenNothingHappened();
  });

  it('removes the preview of a build created before teardown requests existed (attempt id upcast from BuildClosed)', () => {
    const legacyClose: BuildEventDraft = {
      type: 'BuildClosed',
      data: { buildId: BUILD, attemptId: 'legacy-close-event-id', by: OWNER, project: 'test1', type: 'branch', target: 'staging' },
    };
    given([...previewLive(), legacyClose])
      .when({ type: 'RecordPreviewTornDown', requestId: 'legacy-close-event-id', deleted: [] })
      .then([{ type: 'PreviewRemoved', data: { buildId: BUILD, deleted: [], attemptId: 'legacy-close-event-id', reason: 'closed' } }]);
  });
});

describe('deadlines and dead letters', () => {
  it('fails a preview the deployer never answered for', () => {
    given(registered())
      .when(expire(PREVIEW_ATTEMPT, 'preview'))
      .then([
        {
          type: 'PreviewDeploymentFailed',
          data: { buildId: BUILD, reason: 'no answer from the deployer within 6 min', cause: 'deadline' },
        },
      ]);
  });

  it('fails a production deployment the deployer never answered for, so the owner can try again', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(expire(productionAttempt(1), 'production'))
      .then(
        [productionFailed(1, 'deadline')].map(
          (e) => ({ ...e, data: { ...e.data, reason: 'no answer from the deployer within 6 min' } }) as BuildEventDraft,
        ),
      );
  });

  it('fails a production deployment whose request was dead-lettered', () => {
    given([...previewLive(), ...approvedBy(QA1), productionRequested()])
      .when(expire(productionAttempt(1), 'production', 'dead-letter'))
      .then([
        {
          type: 'ProductionDeploymentFailed',
          data: { buildId: BUILD, reason: 'no answer from the deployer within 6 min', by: OWNER, attempt: 1, cause: 'dead-letter' },
        },
      ]);
  });

  it('fails a teardown the deployer never answered for', () => {
    given([...previewLive(), ...closed()])
      .when(expire(teardownAttempt(1), 'teardown'))
      .then([teardownFailed()]);
  });

  it.each([
    ['the preview was deployed in time', previewLive(), PREVIEW_ATTEMPT, 'preview' as const],
    [
      'production answered in time',
      [...previewLive(), ...approvedBy(QA1), productionRequested(), productionDeployed()],
      productionAttempt(1),
      'production' as const,
    ],
    [
      'the deadline is of an earlier attempt',
      [...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed(), productionRequested(2)],
      productionAttempt(1),
      'production' as const,
    ],
    [
      'the teardown finished',
      [...previewLive(), ...closed(), { type: 'PreviewRemoved', data: { buildId: BUILD, deleted: [] } } as BuildEventDraft],
      teardownAttempt(1),
      'teardown' as const,
    ],
  ])('does nothing when %s', (_, history, attemptId, kind) => {
    given(history).when(expire(attemptId, kind)).thenNothingHappened();
  });

  it('records a late outcome of an expired attempt once, and it changes nothing', () => {
    const expired = [...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed(1, 'deadline')];
    const lateOutcome: BuildEventDraft = {
      type: 'LateOutcomeRecorded',
      data: { buildId: BUILD, attemptId: productionAttempt(1), outcome: 'succeeded', detail: 'https://example.org' },
    };
    given(expired)
      .when(succeeded(productionAttempt(1), 'production', DIGEST))
      .then([lateOutcome]);
    given([...expired, lateOutcome])
      .when(succeeded(productionAttempt(1), 'production', DIGEST))
      .thenNothingHappened();
  });
});

describe('pinning an image to a digest', () => {
  it.each([
    ['registry.example.org/shop:1.0.0', `registry.example.org/shop@${DIGEST}`],
    ['localhost:5000/shop:main', `localhost:5000/shop@${DIGEST}`],
    ['nginx', `nginx@${DIGEST}`],
    [`registry.example.org/shop:1.0@${OTHER_DIGEST}`, `registry.example.org/shop@${DIGEST}`],
  ])('%s → repository@digest', (image, expected) => {
    expect(pinned(image, DIGEST)).toBe(expected);
  });

  it('is what production is asked to run', () => {
    expect(PINNED).toBe(pinned(IMAGE, DIGEST));
  });
});
