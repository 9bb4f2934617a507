import { describe, expect, it } from '@jest/globals';
import { DeciderSpecification } from '@event-driven-io/emmett';
import {
  BUILD,
  DEADLINE,
  DIGEST,
  OTHER_DIGEST,
  OWNER,
  policy,
  previewLive,
  productionAttempt,
  productionDeployed,
  productionRequested,
  STRANGER,
  teardownRequested,
} from '../../test/build-givens';
import { draft } from './build-event-draft';
import type { BuildCommand } from './build.commands';
import { decide, evolve, initialState } from './build.decider';
import type { BuildEventDraft } from './build-event-draft';
import { IllegalState, NotAllowed, ProductionBusy } from './build.refusals';

const given = DeciderSpecification.for<BuildCommand, BuildEventDraft, ReturnType<typeof initialState>>({ decide, evolve, initialState });

/** BUILD is the previous release (release 1); CURRENT runs in production (release 2) and its announcement was clicked. */
const CURRENT = 'b-2';
const OWNER2 = 'U0OWNER02';
const shipped: BuildEventDraft[] = [...previewLive(), productionRequested(1), productionDeployed(), teardownRequested(1, 'in-production')];

const rollBack = (over: Partial<Extract<BuildCommand, { type: 'RollBack' }>> = {}): BuildCommand => ({
  type: 'RollBack',
  policy: policy({ owners: [OWNER, OWNER2] }),
  user: OWNER2,
  clicked: CURRENT,
  current: CURRENT,
  previous: { release: 1, digest: DIGEST },
  rolloutDeadline: DEADLINE,
  ...over,
});

const requestData = {
  buildId: BUILD,
  attemptId: productionAttempt(2),
  project: 'test1',
  image: `registry.example.org/shop@${DIGEST}`,
  digest: DIGEST,
  url: 'https://example.org',
  by: OWNER2,
  attempt: 2,
  rolloutDeadline: DEADLINE,
  rollbackOf: CURRENT,
};
const rollbackRequested = draft('ProductionDeploymentRequested', requestData);

const PREVIOUS = { buildId: CURRENT, image: `registry.example.org/shop@${OTHER_DIGEST}`, release: 2 };
const succeeded = (release?: number): BuildCommand => ({
  type: 'RecordDeploymentSucceeded',
  requestId: productionAttempt(2),
  environment: 'production',
  url: 'https://example.org',
  digest: DIGEST,
  policy: policy(),
  newBuildId: 'b-new',
  now: DEADLINE,
  ...(release ? { release, previous: PREVIOUS } : {}),
});

describe('rolling production back to the previous release', () => {
  it('deploys the previous release again, its digest, as the next production attempt of that build, naming the build it replaces', () =>
    given(shipped).when(rollBack()).then([rollbackRequested]));

  it('deploys the digest production ran for the previous release, whatever its preview reported', () =>
    given(shipped)
      .when(rollBack({ previous: { release: 1, digest: OTHER_DIGEST } }))
      .then([
        draft('ProductionDeploymentRequested', {
          ...requestData,
          image: `registry.example.org/shop@${OTHER_DIGEST}`,
          digest: OTHER_DIGEST,
        }),
      ]));

  it('announces the rollback once it is deployed: who, the release number, the build it replaced and what a Roll back of it returns to; no teardown of the preview again', () =>
    given([...shipped, rollbackRequested])
      .when(succeeded(3))
      .then([
        draft('ProductionDeployed', {
          buildId: BUILD,
          url: 'https://example.org',
          by: OWNER2,
          digest: DIGEST,
          release: 3,
          rollbackOf: CURRENT,
          previous: PREVIOUS,
        }),
      ]));

  it('leaves the previous release as it was when the rollback fails (the build production ran stays current)', () => {
    const failedEvent = draft('ProductionDeploymentFailed', {
      buildId: BUILD,
      reason: 'ImagePullBackOff',
      by: OWNER2,
      attempt: 2,
      cause: 'deployer',
      rollbackOf: CURRENT,
    });
    given([...shipped, rollbackRequested])
      .when({
        type: 'RecordDeploymentFailed',
        requestId: productionAttempt(2),
        environment: 'production',
        reason: 'ImagePullBackOff',
        policy: policy(),
        now: DEADLINE,
      })
      .then([failedEvent]);
    const state = [...shipped, rollbackRequested, failedEvent].reduce(evolve, initialState());
    expect(state).toMatchObject({ status: 'InProduction', by: OWNER, attempt: 2 });
  });

  it('fails the rollback at its deadline like any production attempt', () =>
    given([...shipped, rollbackRequested])
      .when({
        type: 'ExpireAttempt',
        attemptId: productionAttempt(2),
        kind: 'production',
        cause: 'deadline',
        reason: 'no answer from the deployer',
        policy: policy(),
        now: DEADLINE,
      })
      .then([
        draft('ProductionDeploymentFailed', {
          buildId: BUILD,
          reason: 'no answer from the deployer',
          by: OWNER2,
          attempt: 2,
          cause: 'deadline',
          rollbackOf: CURRENT,
        }),
      ]));

  it('a second rollback after the first is the next attempt again', () =>
    given([
      ...shipped,
      rollbackRequested,
      draft('ProductionDeployed', { buildId: BUILD, url: 'https://example.org', by: OWNER2, digest: DIGEST }),
    ])
      .when(rollBack({ clicked: 'b-3', current: 'b-3', previous: { release: 3, digest: DIGEST } }))
      .then([
        draft('ProductionDeploymentRequested', {
          ...requestData,
          attemptId: productionAttempt(3),
          attempt: 3,
          rollbackOf: 'b-3',
        }),
      ]));

  it('refuses someone who is not an owner', () =>
    given(shipped)
      .when(rollBack({ user: STRANGER }))
      .thenThrows((e: Error) => e instanceof NotAllowed && e.message === 'only the owners of Testing One can roll production back'));

  it('refuses when there is nothing to roll back to: the project had one release', () =>
    given([])
      .when(rollBack({ previous: undefined }))
      .thenThrows(
        (e: Error) =>
          e instanceof IllegalState && e.message === 'nothing to roll back to: this is the first production release of Testing One',
      ));

  it('refuses a click on a build that no longer runs in production, naming the one that does', () =>
    given(shipped)
      .when(rollBack({ current: 'b-3' }))
      .thenThrows(
        (e: Error) =>
          e instanceof IllegalState &&
          e.message === "this build is no longer what runs in production (build b-3 is); roll back from that build's announcement",
      ));

  it('refuses while a production deployment of the project is in flight', () =>
    given(shipped)
      .when(rollBack({ productionBusyWith: 'b-4' }))
      .thenThrows((e: Error) => e instanceof ProductionBusy && e.message.startsWith('a build of Testing One (b-4) is being deployed')));

  it('refuses when the previous release is itself on its way to production', () =>
    given([...shipped, rollbackRequested])
      .when(rollBack())
      .thenThrows((e: Error) => e instanceof IllegalState && e.message.includes('it is ProductionDeploying')));

  it('keeps a build in production unclosable during its rollback, like any production deployment', () =>
    given([...shipped, rollbackRequested])
      .when({ type: 'CloseBuild', policy: policy(), user: OWNER })
      .thenThrows((e: Error) => e instanceof IllegalState));

  it('counts production attempts so a rollback never reuses an attempt id', () => {
    const state = shipped.reduce(evolve, initialState());
    expect(state).toMatchObject({ status: 'InProduction', attempt: 1, build: { buildId: BUILD } });
  });
});

describe('a release that leaves production (ProductionReplaced)', () => {
  const replaced = (over: Partial<Extract<BuildCommand, { type: 'RecordProductionReplaced' }>> = {}): BuildCommand => ({
    type: 'RecordProductionReplaced',
    replacedBy: CURRENT,
    release: 2,
    by: OWNER2,
    rolledBack: false,
    ...over,
  });
  const replacedData = { buildId: BUILD, replacedBy: CURRENT, release: 2, by: OWNER2, rolledBack: false };
  const replacedEvent = draft('ProductionReplaced', replacedData);

  it('says on the build it replaced which build shipped as which release, and who shipped it', () =>
    given(shipped).when(replaced()).then([replacedEvent]));

  it('says a rollback rolled the build back', () =>
    given(shipped)
      .when(replaced({ rolledBack: true, release: 3 }))
      .then([draft('ProductionReplaced', { ...replacedData, release: 3, rolledBack: true })]));

  it('records each replacing release once', () =>
    given([...shipped, replacedEvent])
      .when(replaced())
      .then([]));

  it('changes nothing on a build that is not in production (never shipped, or on its way back)', () => {
    given(previewLive()).when(replaced()).then([]);
    given([...shipped, rollbackRequested])
      .when(replaced())
      .then([]);
  });

  it('never says a build replaced itself', () =>
    given(shipped)
      .when(replaced({ replacedBy: BUILD }))
      .then([]));

  it('keeps the build shipped — a Roll back may return to it — and clears the mark when it runs in production again', () => {
    const left = [...shipped, replacedEvent].reduce(evolve, initialState());
    expect(left).toMatchObject({ status: 'InProduction', replacedBy: { buildId: CURRENT, release: 2, rolledBack: false } });
    const back = [
      ...shipped,
      replacedEvent,
      rollbackRequested,
      draft('ProductionDeployed', { buildId: BUILD, url: 'https://example.org', by: OWNER2, digest: DIGEST, release: 3 }),
    ].reduce(evolve, initialState());
    expect(back).toMatchObject({ status: 'InProduction', by: OWNER2, attempt: 2 });
    expect(back).not.toHaveProperty('replacedBy');
  });

  it('stays replaced when a rollback to it fails', () => {
    const failed = draft('ProductionDeploymentFailed', {
      buildId: BUILD,
      reason: 'ImagePullBackOff',
      by: OWNER2,
      attempt: 2,
      cause: 'deployer',
      rollbackOf: CURRENT,
    });
    const state = [...shipped, replacedEvent, rollbackRequested, failed].reduce(evolve, initialState());
    expect(state).toMatchObject({ status: 'InProduction', by: OWNER, replacedBy: { buildId: CURRENT, release: 2 } });
  });

  it('lets an owner roll back to a replaced release', () =>
    given([...shipped, replacedEvent])
      .when(rollBack())
      .then([rollbackRequested]));
});
