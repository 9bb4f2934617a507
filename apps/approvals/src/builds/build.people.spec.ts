import { describe, expect, it } from '@jest/globals';
import { approvedBy, BUILD, closed, given, OWNER, policy, previewLive, productionFailed, productionRequested, QA1, QA2, registered, rejectedBy, STRANGER, superseded } from '../../test/build-givens';
import { BuildCommand } from './build.commands';
import { decide, initialState } from './build.decider';
import { BuildRefusal, IllegalState, NotAllowed, NotEnoughApprovals, ProductionBusy, UnknownBuild } from './build.refusals';
import { Build } from './build.state';

/** Then: the decider refuses with this kind and this reason. */
const refusalOf = (command: BuildCommand, state: Build): BuildRefusal => {
  try {
    decide(command, state);
  } catch (error) {
    if (error instanceof BuildRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the command was accepted');
};

const verdict = (user: string, v: 'approve' | 'reject', overrides = {}): BuildCommand => ({ type: 'GiveVerdict', policy: policy(overrides), user, verdict: v });
const promote = (user = OWNER, overrides: { productionBusyWith?: string; approvalsRequired?: number } = {}): BuildCommand => {
  const { productionBusyWith, ...rest } = overrides;
  return { type: 'PromoteBuild', policy: policy(rest), user, productionBusyWith };
};
const close = (user = OWNER): BuildCommand => ({ type: 'CloseBuild', policy: policy(), user });

describe('QA verdicts', () => {
  it('approves the build when the required approval comes in', () => {
    expect(decide(verdict(QA1, 'approve'), given(...previewLive()))).toEqual([
      { type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 1 } },
      { type: 'BuildApproved', data: { buildId: BUILD, approvedBy: [QA1] } },
    ]);
  });

  it('records an approval without approving the build while more are required', () => {
    const events = decide(verdict(QA1, 'approve', { approvalsRequired: 2 }), given(...previewLive()));
    expect(events).toEqual([{ type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 2 } }]);
  });

  it('approves once the second of two required approvals comes in', () => {
    const first = decide(verdict(QA1, 'approve', { approvalsRequired: 2 }), given(...previewLive()));
    const events = decide(verdict(QA2, 'approve', { approvalsRequired: 2 }), given(...previewLive(), ...first));
    expect(events.map((e) => e.type)).toEqual(['QaApproved', 'BuildApproved']);
  });

  it('does not approve a build that a QA member rejected, whatever the approvals', () => {
    const events = decide(verdict(QA2, 'approve'), given(...previewLive(), rejectedBy(QA1)));
    expect(events.map((e) => e.type)).toEqual(['QaApproved']);
  });

  it('records a rejection', () => {
    expect(decide(verdict(QA1, 'reject'), given(...previewLive()))).toEqual([{ type: 'QaRejected', data: { buildId: BUILD, by: QA1 } }]);
  });

  it('takes a rejection after approval, so the build is no longer promotable', () => {
    const state = given(...previewLive(), ...approvedBy(QA1), rejectedBy(QA2));
    expect(refusalOf(promote(), state).reason).toBe('this build was rejected by <@U0QA00002>');
  });

  it('changes nothing when a QA member clicks the same verdict again', () => {
    expect(decide(verdict(QA1, 'approve'), given(...previewLive(), ...approvedBy(QA1)))).toEqual([]);
  });

  it('refuses a different verdict from a QA member who already gave one', () => {
    const refusal = refusalOf(verdict(QA1, 'reject'), given(...previewLive(), ...approvedBy(QA1)));
    expect(refusal).toBeInstanceOf(IllegalState);
    expect(refusal.reason).toBe('you already approved this build');
  });

  it('refuses a verdict from someone outside the QA team', () => {
    const refusal = refusalOf(verdict(STRANGER, 'approve'), given(...previewLive()));
    expect(refusal).toBeInstanceOf(NotAllowed);
    expect(refusal.reason).toBe('only the QA team of Testing One can approve builds');
    expect(refusal.action).toBe('approve');
  });

  it('refuses a verdict while the preview is still deploying', () => {
    expect(refusalOf(verdict(QA1, 'approve'), given(...registered())).reason).toBe('the preview of this build is still being deployed');
  });

  it.each([
    ['the preview failed', [...registered(), { type: 'PreviewDeploymentFailed' as const, data: { buildId: BUILD, reason: 'ErrImagePull' } }], 'the preview of this build failed to deploy: ErrImagePull'],
    ['the build was superseded', [...previewLive(), superseded()], 'this build was superseded by a newer build (b-2)'],
    ['the build was closed', [...previewLive(), closed()], 'this build was closed by <@U0OWNER01>'],
    ['the build is deploying to production', [...previewLive(), ...approvedBy(QA1), productionRequested()], 'this build is already being deployed to production'],
  ])('refuses a verdict when %s', (_, history, reason) => {
    const refusal = refusalOf(verdict(QA2, 'approve'), given(...history));
    expect(refusal).toBeInstanceOf(IllegalState);
    expect(refusal.reason).toBe(reason);
  });

  it('refuses a verdict on a build that does not exist', () => {
    expect(refusalOf(verdict(QA1, 'approve'), initialState())).toBeInstanceOf(UnknownBuild);
  });
});

describe('promotion to production', () => {
  it('requests the production deployment of an approved build', () => {
    expect(decide(promote(), given(...previewLive(), ...approvedBy(QA1)))).toEqual([
      {
        type: 'ProductionDeploymentRequested',
        data: { buildId: BUILD, project: 'test1', image: 'registry.example.org/shop:1.0.0', url: 'https://example.org', by: OWNER, attempt: 1 },
      },
    ]);
  });

  it('refuses promotion before enough QA approvals are in, saying how many', () => {
    const refusal = refusalOf(promote(), given(...previewLive()));
    expect(refusal).toBeInstanceOf(NotEnoughApprovals);
    expect(refusal.reason).toBe('needs 1 QA approval, has 0');
  });

  it('counts approvals in the refusal when several are required', () => {
    const state = given(...previewLive(), { type: 'QaApproved', data: { buildId: BUILD, by: QA1, approvals: [QA1], required: 2 } });
    expect(refusalOf(promote(OWNER, { approvalsRequired: 2 }), state).reason).toBe('needs 2 QA approvals, has 1');
  });

  it('lets owners promote any live preview when no approvals are required', () => {
    expect(decide(promote(OWNER, { approvalsRequired: 0 }), given(...previewLive())).map((e) => e.type)).toEqual(['ProductionDeploymentRequested']);
  });

  it('refuses promotion of a rejected build even when no approvals are required', () => {
    const refusal = refusalOf(promote(OWNER, { approvalsRequired: 0 }), given(...previewLive(), rejectedBy(QA1)));
    expect(refusal).toBeInstanceOf(IllegalState);
    expect(refusal.reason).toBe('this build was rejected by <@U0QA00001>');
  });

  it('refuses promotion by someone who is not an owner', () => {
    const refusal = refusalOf(promote(QA1), given(...previewLive(), ...approvedBy(QA1)));
    expect(refusal).toBeInstanceOf(NotAllowed);
    expect(refusal.reason).toBe('only the owners of Testing One can deploy builds to production');
  });

  it('refuses a second promotion while the first is deploying', () => {
    const refusal = refusalOf(promote(), given(...previewLive(), ...approvedBy(QA1), productionRequested()));
    expect(refusal.reason).toBe('this build is already being deployed to production');
  });

  it('refuses promotion while another build of the project is deploying to production', () => {
    const refusal = refusalOf(promote(OWNER, { productionBusyWith: 'b-9' }), given(...previewLive(), ...approvedBy(QA1)));
    expect(refusal).toBeInstanceOf(ProductionBusy);
    expect(refusal.reason).toBe('another build of Testing One (b-9) is being deployed to production; try again when it is done');
  });

  it('lets an owner try again after a failed production deployment', () => {
    const events = decide(promote(), given(...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed()));
    expect(events).toEqual([expect.objectContaining({ type: 'ProductionDeploymentRequested', data: expect.objectContaining({ attempt: 2 }) })]);
  });

  it.each([
    ['the preview is still deploying', registered(), 'the preview of this build is still being deployed'],
    ['the build is in production', [...previewLive(), ...approvedBy(QA1), productionRequested(), { type: 'ProductionDeployed' as const, data: { buildId: BUILD, url: 'https://example.org', by: OWNER } }], 'this build is already in production'],
    ['the build was superseded', [...previewLive(), ...approvedBy(QA1), superseded()], 'this build was superseded by a newer build (b-2)'],
    ['the build was closed', [...previewLive(), ...approvedBy(QA1), closed()], 'this build was closed by <@U0OWNER01>'],
  ])('refuses promotion when %s', (_, history, reason) => {
    const refusal = refusalOf(promote(), given(...history));
    expect(refusal).toBeInstanceOf(IllegalState);
    expect(refusal.reason).toBe(reason);
  });

  it('refuses promotion of a build that does not exist', () => {
    expect(refusalOf(promote(), initialState())).toBeInstanceOf(UnknownBuild);
  });
});

describe('closing a build', () => {
  it('closes an open build', () => {
    expect(decide(close(), given(...previewLive()))).toEqual([
      { type: 'BuildClosed', data: { buildId: BUILD, by: OWNER, project: 'test1', type: 'branch', target: 'staging' } },
    ]);
  });

  it('closes a build whose production deployment failed', () => {
    expect(decide(close(), given(...previewLive(), ...approvedBy(QA1), productionRequested(), productionFailed())).map((e) => e.type)).toEqual(['BuildClosed']);
  });

  it('refuses to close for someone who is not an owner', () => {
    const refusal = refusalOf(close(QA1), given(...previewLive()));
    expect(refusal).toBeInstanceOf(NotAllowed);
    expect(refusal.reason).toBe('only the owners of Testing One can close builds');
  });

  it.each([
    ['deploying to production', [...previewLive(), ...approvedBy(QA1), productionRequested()], 'this build is being deployed to production; close it once the deployment is done'],
    ['already closed', [...previewLive(), closed()], 'this build was closed by <@U0OWNER01>'],
    ['superseded', [...previewLive(), superseded()], 'this build was superseded by a newer build (b-2)'],
  ])('refuses to close a build that is %s', (_, history, reason) => {
    expect(refusalOf(close(), given(...history)).reason).toBe(reason);
  });

  it('refuses to close a build that does not exist', () => {
    expect(refusalOf(close(), initialState())).toBeInstanceOf(UnknownBuild);
  });
});
