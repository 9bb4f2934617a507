import { describe, expect, it } from '@jest/globals';
import { buildEvents, DIGEST, PINNED } from '../../test/build-fixtures';
import { initialProgress } from './build-snapshot';
import { evolve } from './build-progress.evolve';

const e = buildEvents();

describe('the notifier view of a build progress', () => {
  it('follows a build from deploying to shipped', () => {
    const progress = [
      e.registered(),
      e.previewRequested(),
      e.previewDeployed(),
      e.qaApproved('U0QA00001', ['U0QA00001'], 4),
      e.productionDeployed('U0OWNER01', 6),
    ].reduce(evolve, initialProgress());
    expect(progress.preview).toMatchObject({ status: 'deployed', url: 'https://staging.branch.example.org' });
    expect(progress.verdicts.U0QA00001.verdict).toBe('approved');
    expect(progress.approved).toBe(true);
    expect(progress.production).toMatchObject({ status: 'deployed', by: 'U0OWNER01' });
  });

  it('is not rolled back by an older event redelivered after a newer one', () => {
    const failed = [e.previewRequested(), e.previewFailed('ImagePullBackOff', 3)].reduce(evolve, initialProgress());
    expect(evolve(failed, e.previewRequested()).preview).toMatchObject({ status: 'failed', reason: 'ImagePullBackOff' });

    const shipped = evolve(initialProgress(), e.productionDeployed('U0OWNER01', 8));
    expect(evolve(shipped, e.productionFailed('U0OWNER01', 'timeout', 7)).production?.status).toBe('deployed');
  });

  it('counts approvals as approved only once the required number is reached', () => {
    const twoNeeded = buildEvents({ ...e.registered().data, approvalsRequired: 2 });
    const one = evolve(initialProgress(), twoNeeded.qaApproved('U0QA00001', ['U0QA00001'], 4));
    expect(one.approved).toBe(false);
    expect(evolve(one, twoNeeded.qaApproved('U0QA00002', ['U0QA00001', 'U0QA00002'], 5)).approved).toBe(true);
  });

  it('keeps the first ending: a build closed is not later shown as superseded', () => {
    const closed = evolve(initialProgress(), e.closed('U0OWNER01', 5));
    expect(evolve(closed, e.superseded('b-2', 'shop:2', 6)).ending).toEqual({ kind: 'closed', by: 'U0OWNER01' });
  });
});

describe('the notifier view of the bits, the failures and the preview teardown', () => {
  it('keeps the digest and the pinned image the preview reported', () => {
    const progress = evolve(initialProgress(), e.previewDeployed(3, { digest: DIGEST, pinnedImage: PINNED }));
    expect(progress.preview).toEqual({
      status: 'deployed',
      url: 'https://staging.branch.example.org',
      digest: DIGEST,
      pinnedImage: PINNED,
      version: 3,
    });
  });

  it('remembers the pinned image production was asked to run and keeps it once shipped', () => {
    const progress = [
      e.previewDeployed(3, { digest: DIGEST, pinnedImage: PINNED }),
      e.productionRequested('U0OWNER01', 4, 1, DIGEST),
      e.productionDeployed('U0OWNER01', 5, DIGEST),
    ].reduce(evolve, initialProgress());
    expect(progress.production).toEqual({
      attempt: 1,
      status: 'deployed',
      by: 'U0OWNER01',
      url: 'https://example.org',
      image: PINNED,
      digest: DIGEST,
      version: 5,
    });
  });

  it('records why an attempt failed', () => {
    const preview = evolve(initialProgress(), e.previewFailed('no answer from the deployer within 6 min', 3, 'deadline'));
    expect(preview.preview).toMatchObject({ status: 'failed', cause: 'deadline' });
    const production = evolve(initialProgress(), e.productionFailed('U0OWNER01', 'gave up', 5, 2, 'dead-letter'));
    expect(production.production).toMatchObject({ status: 'failed', attempt: 2, cause: 'dead-letter' });
  });

  it('follows the preview teardown after production, keeping its reason when PreviewRemoved does not repeat it', () => {
    const requested = evolve(initialProgress(), e.teardownRequested('in-production', 7));
    expect(requested.teardown).toEqual({ status: 'requested', why: 'in-production', version: 7 });
    expect(evolve(requested, e.previewRemoved(8)).teardown).toEqual({ status: 'removed', why: 'in-production', version: 8 });
  });

  it('moves from a failed teardown to its retry, and a redelivered older failure does not bring the failure back', () => {
    const failed = [e.teardownRequested('closed', 6), e.teardownFailed('no answer from the deployer within 6 min', 'deadline', 7)].reduce(
      evolve,
      initialProgress(),
    );
    expect(failed.teardown).toEqual({
      status: 'failed',
      why: 'closed',
      reason: 'no answer from the deployer within 6 min',
      cause: 'deadline',
      version: 7,
    });
    const retried = evolve(failed, e.teardownRequested('closed', 8, 2));
    expect(retried.teardown?.status).toBe('requested');
    expect(evolve(retried, e.teardownFailed('late', 'deadline', 7)).teardown?.status).toBe('requested');
  });

  it('remembers that a build was superseded because the preview runs other bits', () => {
    expect(evolve(initialProgress(), e.superseded('b-2', PINNED, 5, 'digest-changed')).ending).toEqual({
      kind: 'superseded',
      by: 'b-2',
      newImage: PINNED,
      reason: 'digest-changed',
    });
  });
});
