import { describe, expect, it } from '@jest/globals';
import { BUILD, closed, given, OWNER, policy, previewLive, productionFailed, productionRequested, registered, requestId, superseded, approvedBy } from '../../test/build-givens';
import { decide, initialState } from './build.decider';
import { IllegalState } from './build.refusals';

const register = {
  type: 'RegisterBuild' as const,
  buildId: BUILD,
  requestId: 'ci-1',
  policy: policy(),
  buildType: 'branch' as const,
  target: 'staging',
  image: 'registry.example.org/shop:1.0.0',
  previewUrl: 'https://staging.branch.example.org',
  productionUrl: 'https://example.org',
};

describe('registering a build', () => {
  it('registers a new build with the project roles and requests its preview', () => {
    const events = decide(register, initialState());
    expect(events.map((e) => e.type)).toEqual(['BuildRegistered', 'PreviewDeploymentRequested']);
    expect(events[0].data).toMatchObject({ buildId: BUILD, project: 'test1', projectName: 'Testing One', qa: ['U0QA00001', 'U0QA00002'], owners: [OWNER], approvalsRequired: 1 });
    expect(events[1].data).toMatchObject({ image: 'registry.example.org/shop:1.0.0', url: 'https://staging.branch.example.org' });
  });

  it('refuses to register a build id twice', () => {
    expect(() => decide(register, given(...registered()))).toThrow(IllegalState);
  });
});

describe('superseding a build', () => {
  const supersede = { type: 'SupersedeBuild' as const, supersededBy: 'b-2', newImage: 'registry.example.org/shop:1.0.1' };

  it.each([
    ['preview deploying', registered()],
    ['waiting for QA', previewLive()],
    ['approved', [...previewLive(), ...approvedBy('U0QA00001')]],
    ['failed in production', [...previewLive(), ...approvedBy('U0QA00001'), productionRequested(), productionFailed()]],
  ])('supersedes an open build (%s)', (_, history) => {
    expect(decide(supersede, given(...history))).toEqual([
      { type: 'BuildSuperseded', data: { buildId: BUILD, supersededBy: 'b-2', newImage: 'registry.example.org/shop:1.0.1' } },
    ]);
  });

  it.each([
    ['closed', [...previewLive(), closed()]],
    ['already superseded', [...previewLive(), superseded()]],
    ['deploying to production', [...previewLive(), ...approvedBy('U0QA00001'), productionRequested()]],
  ])('does not supersede a build that is no longer open (%s)', (_, history) => {
    expect(() => decide(supersede, given(...history))).toThrow(IllegalState);
  });
});

describe('recording deployment outcomes', () => {
  const previewRequest = requestId('PreviewDeploymentRequested', 1);

  it('marks the preview live when the current preview deployment succeeded', () => {
    const events = decide(
      { type: 'RecordDeploymentSucceeded', requestId: previewRequest, environment: 'preview', url: 'https://staging.branch.example.org' },
      given(...registered()),
    );
    expect(events).toEqual([{ type: 'PreviewDeployed', data: { buildId: BUILD, url: 'https://staging.branch.example.org' } }]);
  });

  it('records the reason when the current preview deployment failed', () => {
    const events = decide({ type: 'RecordDeploymentFailed', requestId: previewRequest, environment: 'preview', reason: 'ImagePullBackOff: not found' }, given(...registered()));
    expect(events).toEqual([{ type: 'PreviewDeploymentFailed', data: { buildId: BUILD, reason: 'ImagePullBackOff: not found' } }]);
  });

  it('ignores the outcome of a preview attempt that is not the current one', () => {
    const events = decide({ type: 'RecordDeploymentSucceeded', requestId: 'an-old-request', environment: 'preview', url: 'https://staging.branch.example.org' }, given(...registered()));
    expect(events).toEqual([]);
  });

  it('ignores a preview outcome that arrives after the build was superseded', () => {
    const events = decide({ type: 'RecordDeploymentSucceeded', requestId: previewRequest, environment: 'preview', url: 'https://staging.branch.example.org' }, given(...registered(), superseded()));
    expect(events).toEqual([]);
  });

  it('marks the build in production, crediting the owner who promoted it', () => {
    const history = [...previewLive(), ...approvedBy('U0QA00001'), productionRequested()];
    const events = decide(
      { type: 'RecordDeploymentSucceeded', requestId: requestId('ProductionDeploymentRequested', history.length - 1), environment: 'production', url: 'https://example.org' },
      given(...history),
    );
    expect(events).toEqual([{ type: 'ProductionDeployed', data: { buildId: BUILD, url: 'https://example.org', by: OWNER } }]);
  });

  it('records a failed production deployment with its attempt number', () => {
    const history = [...previewLive(), ...approvedBy('U0QA00001'), productionRequested(), productionFailed(), productionRequested(2)];
    const events = decide(
      { type: 'RecordDeploymentFailed', requestId: requestId('ProductionDeploymentRequested', history.length - 1), environment: 'production', reason: 'ProgressDeadlineExceeded' },
      given(...history),
    );
    expect(events).toEqual([{ type: 'ProductionDeploymentFailed', data: { buildId: BUILD, reason: 'ProgressDeadlineExceeded', by: OWNER, attempt: 2 } }]);
  });

  it('ignores the outcome of an earlier production attempt', () => {
    const history = [...previewLive(), ...approvedBy('U0QA00001'), productionRequested(), productionFailed(), productionRequested(2)];
    const stale = requestId('ProductionDeploymentRequested', history.length - 3);
    expect(decide({ type: 'RecordDeploymentFailed', requestId: stale, environment: 'production', reason: 'late' }, given(...history))).toEqual([]);
  });

  it('ignores outcomes for a build that does not exist', () => {
    expect(decide({ type: 'RecordDeploymentSucceeded', requestId: 'x', environment: 'preview', url: 'https://a.branch.example.org' }, initialState())).toEqual([]);
  });

  it('records that the preview of a closed build was torn down, once', () => {
    const history = [...previewLive(), closed()];
    const teardown = { type: 'RecordPreviewTornDown' as const, requestId: requestId('BuildClosed', history.length - 1), deleted: ['Deployment/test1-branch-staging'] };
    const events = decide(teardown, given(...history));
    expect(events).toEqual([{ type: 'PreviewRemoved', data: { buildId: BUILD, deleted: ['Deployment/test1-branch-staging'] } }]);
    expect(decide(teardown, given(...history, ...events))).toEqual([]);
  });
});
