import type { BuildEvent } from '@app/contracts';
import { BuildEventDraft, draft } from '../src/builds/build-event-draft';
import { ProjectPolicy } from '../src/builds/build.commands';
import { fold } from '../src/builds/build.evolve';
import { Build } from '../src/builds/build.state';

/** Given/when/then helpers for the build decider specs. */

export const QA1 = 'U0QA00001';
export const QA2 = 'U0QA00002';
export const OWNER = 'U0OWNER01';
export const STRANGER = 'U0STRANGE';
export const BUILD = 'b-1';

export const policy = (overrides: Partial<ProjectPolicy> = {}): ProjectPolicy => ({
  id: 'test1',
  name: 'Testing One',
  channel: 'C0123456789',
  qa: [QA1, QA2],
  owners: [OWNER],
  approvalsRequired: 1,
  ...overrides,
});

/** Stored events with the ids the outcome specs refer to: `req:<type>` for work requests. */
export const stored = (drafts: BuildEventDraft[]): BuildEvent[] =>
  drafts.map(
    (d, i) =>
      ({
        id: d.type === 'PreviewDeploymentRequested' || d.type === 'ProductionDeploymentRequested' || d.type === 'BuildClosed' ? `req:${d.type}:${i}` : `e${i}`,
        type: d.type,
        streamId: `build-${BUILD}`,
        version: i + 1,
        occurredAt: '2026-01-01T00:00:00.000Z',
        correlationId: BUILD,
        causationId: 'input',
        data: d.data,
      }) as BuildEvent,
  );

export const given = (...drafts: BuildEventDraft[]): Build => fold(stored(drafts));

/** The id the `given` helper assigns to the request event of `type` at index `index`. */
export const requestId = (type: 'PreviewDeploymentRequested' | 'ProductionDeploymentRequested' | 'BuildClosed', index: number) => `req:${type}:${index}`;

export const registered = (image = 'registry.example.org/shop:1.0.0'): BuildEventDraft[] => [
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
    project: 'test1',
    type: 'branch',
    target: 'staging',
    image,
    url: 'https://staging.branch.example.org',
  }),
];

export const previewLive = (): BuildEventDraft[] => [...registered(), draft('PreviewDeployed', { buildId: BUILD, url: 'https://staging.branch.example.org' })];
export const approvedBy = (user: string): BuildEventDraft[] => [
  draft('QaApproved', { buildId: BUILD, by: user, approvals: [user], required: 1 }),
  draft('BuildApproved', { buildId: BUILD, approvedBy: [user] }),
];
export const rejectedBy = (user: string): BuildEventDraft => draft('QaRejected', { buildId: BUILD, by: user });
export const productionRequested = (attempt = 1): BuildEventDraft =>
  draft('ProductionDeploymentRequested', { buildId: BUILD, project: 'test1', image: 'registry.example.org/shop:1.0.0', url: 'https://example.org', by: OWNER, attempt });
export const productionFailed = (attempt = 1): BuildEventDraft =>
  draft('ProductionDeploymentFailed', { buildId: BUILD, reason: 'ImagePullBackOff', by: OWNER, attempt });
export const closed = (): BuildEventDraft => draft('BuildClosed', { buildId: BUILD, by: OWNER, project: 'test1', type: 'branch', target: 'staging' });
export const superseded = (): BuildEventDraft => draft('BuildSuperseded', { buildId: BUILD, supersededBy: 'b-2', newImage: 'registry.example.org/shop:1.0.1' });
