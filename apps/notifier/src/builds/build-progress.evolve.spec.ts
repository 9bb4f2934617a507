import { describe, expect, it } from '@jest/globals';
import { buildEvents } from '../../test/build-fixtures';
import { initialProgress } from './build-snapshot';
import { evolve } from './build-progress.evolve';

const e = buildEvents();

describe('the notifier view of a build progress', () => {
  it('follows a build from deploying to shipped', () => {
    const progress = [e.registered(), e.previewRequested(), e.previewDeployed(), e.qaApproved('U0QA00001', ['U0QA00001'], 4), e.productionDeployed('U0OWNER01', 6)].reduce(
      evolve,
      initialProgress(),
    );
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
