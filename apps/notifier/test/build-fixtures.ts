import { randomUUID } from 'node:crypto';
import type { BuildEvent, BuildEventData, BuildEventType, FailureCause, TeardownReason } from '@app/contracts';
import { initialProgress, type BuildFacts, type BuildProgress, type BuildSnapshot } from '../src/builds/build-snapshot';

/** A project as the tests know it: one channel, two QA, one owner, one approval needed. */
export const CHANNEL = 'C0123456789';
export const QA = ['U0QA00001', 'U0QA00002'];
export const OWNERS = ['U0OWNER01'];

export function facts(overrides: Partial<BuildFacts> = {}): BuildFacts {
  return {
    buildId: 'b-1',
    project: 'test1',
    projectName: 'Testing One',
    type: 'branch',
    target: 'staging',
    image: 'registry.example.org/shop:1.2.3',
    previewUrl: 'https://staging.branch.example.org',
    productionUrl: 'https://example.org',
    channel: CHANNEL,
    qa: QA,
    owners: OWNERS,
    approvalsRequired: 1,
    ...overrides,
  };
}

export function snapshot(progress: Partial<BuildProgress> = {}, factOverrides: Partial<BuildFacts> = {}): BuildSnapshot {
  return { facts: facts(factOverrides), progress: { ...initialProgress(), ...progress } };
}

/** The digest the preview of the tests' builds runs, and the image production deploys for it. */
export const DIGEST = `sha256:1a2b3c4d5e6f${'0123456789abcdef'.repeat(3)}7890`;
export const PINNED = `registry.example.org/shop@${DIGEST}`;

export const deployed = (
  url = 'https://staging.branch.example.org',
  bits: { digest?: string; pinnedImage?: string } = {},
): Partial<BuildProgress> => ({
  preview: { status: 'deployed', url, ...bits, version: 3 },
});

/** A preview that reported the digest it runs. */
export const deployedPinned = (): Partial<BuildProgress> => deployed(undefined, { digest: DIGEST, pinnedImage: PINNED });

/** A domain event envelope as approvals' relay publishes it. */
export function event<T extends BuildEventType>(
  type: T,
  data: BuildEventData<T>,
  version: number,
  buildId = 'b-1',
): Extract<BuildEvent, { type: T }> {
  return {
    id: randomUUID(),
    type,
    streamId: `build-${buildId}`,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: buildId,
    causationId: randomUUID(),
    data,
  } as Extract<BuildEvent, { type: T }>;
}

/** The events of one build, in stream order, as functions of the build's facts. */
export function buildEvents(f: BuildFacts = facts()) {
  const b = f.buildId;
  return {
    registered: () => event('BuildRegistered', { ...f, requestId: `req-${b}` }, 1, b),
    previewRequested: () =>
      event(
        'PreviewDeploymentRequested',
        { buildId: b, project: f.project, type: f.type, target: f.target, image: f.image, url: f.previewUrl },
        2,
        b,
      ),
    previewDeployed: (version = 3, bits: { digest?: string; pinnedImage?: string } = {}) =>
      event('PreviewDeployed', { buildId: b, url: f.previewUrl, ...bits }, version, b),
    previewFailed: (reason: string, version = 3, cause?: FailureCause) =>
      event('PreviewDeploymentFailed', { buildId: b, reason, ...(cause ? { cause } : {}) }, version, b),
    qaApproved: (by: string, approvals: string[], version: number, required = f.approvalsRequired) =>
      event('QaApproved', { buildId: b, by, approvals, required }, version, b),
    qaRejected: (by: string, version: number) => event('QaRejected', { buildId: b, by }, version, b),
    approved: (approvedBy: string[], version: number) => event('BuildApproved', { buildId: b, approvedBy }, version, b),
    /** With `digest`, the request is pinned as approvals pins it: `repository@digest`. */
    productionRequested: (by: string, version: number, attempt = 1, digest?: string) =>
      event(
        'ProductionDeploymentRequested',
        {
          buildId: b,
          project: f.project,
          image: digest ? `${f.image.replace(/:[^:/]+$/, '')}@${digest}` : f.image,
          ...(digest ? { digest } : {}),
          url: f.productionUrl,
          by,
          attempt,
        },
        version,
        b,
      ),
    productionDeployed: (by: string, version: number, digest?: string) =>
      event('ProductionDeployed', { buildId: b, url: f.productionUrl, by, ...(digest ? { digest } : {}) }, version, b),
    productionFailed: (by: string, reason: string, version: number, attempt = 1, cause?: FailureCause) =>
      event('ProductionDeploymentFailed', { buildId: b, reason, by, attempt, ...(cause ? { cause } : {}) }, version, b),
    closed: (by: string, version: number) =>
      event('BuildClosed', { buildId: b, by, project: f.project, type: f.type, target: f.target }, version, b),
    superseded: (by: string, newImage: string, version: number, reason?: 'newer-build' | 'digest-changed') =>
      event('BuildSuperseded', { buildId: b, supersededBy: by, newImage, ...(reason ? { reason } : {}) }, version, b),
    teardownRequested: (reason: TeardownReason, version: number, n = 1) =>
      event(
        'PreviewTeardownRequested',
        { buildId: b, attemptId: `${b}:teardown:${n}`, project: f.project, type: f.type, target: f.target, reason },
        version,
        b,
      ),
    previewRemoved: (version: number, reason?: TeardownReason, n = 1) =>
      event(
        'PreviewRemoved',
        { buildId: b, deleted: [`deployment/${f.target}`], attemptId: `${b}:teardown:${n}`, ...(reason ? { reason } : {}) },
        version,
        b,
      ),
    teardownFailed: (reason: string, cause: FailureCause, version: number, n = 1) =>
      event('PreviewTeardownFailed', { buildId: b, attemptId: `${b}:teardown:${n}`, reason, cause }, version, b),
    denied: (user: string, reason: string, channel?: string, people?: string[]) =>
      event(
        'ActionDenied',
        {
          buildId: b,
          project: f.project,
          user,
          action: 'approve',
          reason,
          ...(people ? { people } : {}),
          origin: channel ? { channel } : {},
        },
        0,
        b,
      ),
  };
}
