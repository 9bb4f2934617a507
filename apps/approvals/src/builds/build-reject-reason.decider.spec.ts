import { describe, it } from '@jest/globals';
import { DeciderSpecification } from '@event-driven-io/emmett';
import { approvedBy, BUILD, policy, previewLive, QA1, QA2, rejectedBy } from '../../test/build-givens';
import type { BuildCommand } from './build.commands';
import { decide, evolve, initialState } from './build.decider';
import type { BuildEventDraft } from './build-event-draft';

const given = DeciderSpecification.for<BuildCommand, BuildEventDraft, ReturnType<typeof initialState>>({ decide, evolve, initialState });

const reject = (user: string, reason?: string): BuildCommand => ({
  type: 'GiveVerdict',
  policy: policy(),
  user,
  verdict: 'reject',
  ...(reason === undefined ? {} : { reason }),
});

describe('rejecting with a reason (the reject modal)', () => {
  it('records the reason with the rejection', () => {
    given(previewLive())
      .when(reject(QA1, 'the login page is blank on Safari'))
      .then([{ type: 'QaRejected', data: { buildId: BUILD, by: QA1, reason: 'the login page is blank on Safari' } }]);
  });

  it('records a rejection without a reason as before (no reason field at all)', () => {
    given(previewLive())
      .when(reject(QA1))
      .then([rejectedBy(QA1)]);
  });

  it('records the reason of a rejection that follows another QA member’s approval', () => {
    given([...previewLive(), ...approvedBy(QA2)])
      .when(reject(QA1, 'checkout fails'))
      .then([{ type: 'QaRejected', data: { buildId: BUILD, by: QA1, reason: 'checkout fails' } }]);
  });

  it('changes nothing when a QA member who already rejected rejects again with a reason', () => {
    given([...previewLive(), rejectedBy(QA1)])
      .when(reject(QA1, 'said it twice'))
      .thenNothingHappened();
  });

  it('ignores a reason on an approval', () => {
    given(previewLive())
      .when({ type: 'GiveVerdict', policy: policy(), user: QA1, verdict: 'approve', reason: 'looks good' })
      .then(approvedBy(QA1));
  });
});
