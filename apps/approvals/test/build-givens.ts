import type { TeardownReason, TimerKind } from '@app/contracts';
import { BuildEventDraft, draft } from '../src/builds/build-event-draft';
import { ProjectPolicy } from '../src/builds/build.commands';

/** Events and policies the build decider specs are written with (given events / when command / then events). */

export const QA1 = 'U0QA00001';
export const QA2 = 'U0QA00002';
export const OWNER = 'U0OWNER01';
export const STRANGER = 'U0STRANGE';
export const BUILD = 'b-1';
export const IMAGE = 'registry.example.org/shop:1.0.0';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
export const PINNED = `registry.example.org/shop@${DIGEST}`;
export const DEADLINE = '2026-01-01T00:05:00.000Z';
export const PREVIEW_ATTEMPT = `${BUILD}:preview`;
export const productionAttempt = (n = 1) => `${BUILD}:production:${n}`;
export const teardownAttempt = (n = 1) => `${BUILD}:teardown:${n}`;

export const policy = (overrides: Partial<ProjectPolicy> = {}): ProjectPolicy => ({
  id: 'test1',
  name: 'Testing One',
  channel: 'C0123456789',
  qa: [QA1, QA2],
  owners: [OWNER],
  approvalsRequired: 1,
  removePreviewAfterProduction: true,
  ...overrides,
});

export const registered = (image = IMAGE): BuildEventDraft[] => [
  draft('BuildRegistered', {
    buildId: BUILD,
    requestId: 'ci-1',
    project: 'test1',
    projectName: 'Testing One',
    type: 'branch',
    target: 'staging',
    image,
    previewUrl: 'https://staging.branch.example.org',
    productionUrl: 'https://example.org',
    channel: 'C0123456789',
    qa: [QA1, QA2],
    owners: [OWNER],
    approvalsRequired: 1,
  }),
  draft('PreviewDeploymentRequested', {
    buildId: BUILD,
    attemptId: PREVIEW_ATTEMPT,
    project: 'test1',
    type: 'branch',
    target: 'staging',
    image,
    url: 'https://staging.branch.example.org',
    rolloutDeadline: DEADLINE,
  }),
];

export const previewDeployed = (digest: string | undefined = DIGEST): BuildEventDraft =>
  draft('PreviewDeployed', {
    buildId: BUILD,
    url: 'https://staging.branch.example.org',
    ...(digest ? { digest, pinnedImage: `registry.example.org/shop@${digest}` } : {}),
  });
export const previewLive = (digest?: string): BuildEventDraft[] => [...registered(), previewDeployed(digest)];
export const approvedBy = (user: string): BuildEventDraft[] => [
  draft('QaApproved', { buildId: BUILD, by: user, approvals: [user], required: 1 }),
  draft('BuildApproved', { buildId: BUILD, approvedBy: [user] }),
];
export const rejectedBy = (user: string): BuildEventDraft => draft('QaRejected', { buildId: BUILD, by: user });
export const productionRequested = (attempt = 1): BuildEventDraft =>
  draft('ProductionDeploymentRequested', {
    buildId: BUILD,
    attemptId: productionAttempt(attempt),
    project: 'test1',
    image: PINNED,
    digest: DIGEST,
    url: 'https://example.org',
    by: OWNER,
    attempt,
    rolloutDeadline: DEADLINE,
  });
export const productionFailed = (attempt = 1, cause: 'deployer' | 'deadline' = 'deployer'): BuildEventDraft =>
  draft('ProductionDeploymentFailed', { buildId: BUILD, reason: 'ImagePullBackOff', by: OWNER, attempt, cause });
export const productionDeployed = (): BuildEventDraft =>
  draft('ProductionDeployed', { buildId: BUILD, url: 'https://example.org', by: OWNER, digest: DIGEST });
export const closed = (n = 1): BuildEventDraft[] => [
  draft('BuildClosed', { buildId: BUILD, attemptId: teardownAttempt(n), by: OWNER, project: 'test1', type: 'branch', target: 'staging' }),
  teardownRequested(n, 'closed'),
];
export const teardownRequested = (n = 1, reason: TeardownReason = 'closed'): BuildEventDraft =>
  draft('PreviewTeardownRequested', {
    buildId: BUILD,
    attemptId: teardownAttempt(n),
    project: 'test1',
    type: 'branch',
    target: 'staging',
    reason,
  });
export const teardownFailed = (n = 1): BuildEventDraft =>
  draft('PreviewTeardownFailed', {
    buildId: BUILD,
    attemptId: teardownAttempt(n),
    reason: 'no answer from the deployer within 6 min',
    cause: 'deadline',
  });
export const superseded = (): BuildEventDraft =>
  draft('BuildSuperseded', { buildId: BUILD, supersededBy: 'b-2', newImage: 'registry.example.org/shop:1.0.1', reason: 'newer-build' });

/** When a timer-related command is decided; timers run from here. */
export const NOW = '2026-01-01T00:10:00.000Z';
export const HOUR = 3_600_000;
/** `NOW` plus `ms`, as events write times. */
export const later = (ms: number, from = NOW): string => new Date(Date.parse(from) + ms).toISOString();
export const timerScheduled = (kind: TimerKind, n: number, dueAt: string): BuildEventDraft =>
  draft('TimerScheduled', { buildId: BUILD, timerId: `${BUILD}:${kind}:${n}`, kind, dueAt });
export const expired = (why: 'preview-ttl' | 'approval-ttl' | 'branch-deleted', n = 1): BuildEventDraft[] => [
  draft('BuildExpired', { buildId: BUILD, why, project: 'test1', type: 'branch', target: 'staging' }),
  draft('PreviewTeardownRequested', {
    buildId: BUILD,
    attemptId: teardownAttempt(n),
    project: 'test1',
    type: 'branch',
    target: 'staging',
    reason: why === 'branch-deleted' ? 'branch-deleted' : 'expired',
  }),
];
