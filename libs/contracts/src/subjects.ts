import type { z } from 'zod';
import * as inputs from './events/inputs';
import * as outcomes from './events/outcomes';
import * as domain from './events/build-events';

/**
 * The subject catalogue: every NATS subject deploybot uses, relative to the deployment's
 * subject prefix (`NATS_SUBJECT_PREFIX`, default `deploybot`; the transport prepends it).
 * Handlers write `@EventPattern(Subjects.X)`, never a literal.
 *
 * Subjects are part of the stored JetStream streams: renaming one needs a migration
 * (drain the old subject, or add the new one to the stream first).
 */
export const Subjects = {
  // Inputs, gateway → approvals (stream INPUTS)
  BuildCompleted: 'input.build-completed',
  QaVerdict: 'input.qa-verdict',
  PromoteRequested: 'input.promote-requested',
  CloseRequested: 'input.close-requested',
  KeepRequested: 'input.keep-requested',
  RollbackRequested: 'input.rollback-requested',
  BranchDeleted: 'input.branch-deleted',
  // Outcomes, deployer → approvals (stream INPUTS)
  DeploymentSucceeded: 'outcome.deployment-succeeded',
  DeploymentFailed: 'outcome.deployment-failed',
  PreviewTornDown: 'outcome.preview-torn-down',
  // Domain events, approvals' relay → deployer, notifier (stream EVENTS)
  BuildRegistered: 'build.registered',
  PreviewDeploymentRequested: 'build.preview-deployment-requested',
  PreviewDeployed: 'build.preview-deployed',
  PreviewDeploymentFailed: 'build.preview-deployment-failed',
  QaApproved: 'build.qa-approved',
  QaRejected: 'build.qa-rejected',
  BuildApproved: 'build.approved',
  ProductionDeploymentRequested: 'build.production-deployment-requested',
  ProductionDeployed: 'build.production-deployed',
  ProductionDeploymentFailed: 'build.production-deployment-failed',
  BuildClosed: 'build.closed',
  BuildSuperseded: 'build.superseded',
  PreviewTeardownRequested: 'build.preview-teardown-requested',
  PreviewRemoved: 'build.preview-removed',
  PreviewTeardownFailed: 'build.preview-teardown-failed',
  LateOutcomeRecorded: 'build.late-outcome-recorded',
  ActionDenied: 'build.action-denied',
  TimerScheduled: 'build.timer-scheduled',
  PreviewKept: 'build.preview-kept',
  PreviewExpiryReminded: 'build.preview-expiry-reminded',
  BuildExpired: 'build.expired',
  ApprovalReminded: 'build.approval-reminded',
  ProductionReplaced: 'build.production-replaced',
  // Queries, gateway → approvals (core NATS request/reply, not stored)
  GetBuild: 'query.build',
  ListProjectBuilds: 'query.project-builds',
  ProjectStatus: 'query.project-status',
  TargetBuild: 'query.target-build',
  ProductionHistory: 'query.production-history',
  // The App Home, notifier → approvals: one person's view (app-home.ts)
  PersonHome: 'query.person-home',
  // Slack modals, gateway → notifier (core NATS request/reply, not stored): open the reject modal for a click
  OpenRejectModal: 'notifier.open-reject-modal',
  // The App Home, gateway → notifier (core NATS request/reply, not stored): publish a person's Home
  PublishHome: 'notifier.publish-home',
} as const;
export type Subject = (typeof Subjects)[keyof typeof Subjects];

/** JetStream streams and the subjects (relative) each one stores. */
export const Streams = {
  INPUTS: ['input.>', 'outcome.>'],
  EVENTS: ['build.>'],
  DLQ: ['dlq.>'],
} as const;
export type StreamName = keyof typeof Streams;

/** Where a message that cannot be handled ends, per consuming service. */
export const deadLetterSubject = (service: string, subject: string): string => `dlq.${service}.${subject}`;

/**
 * The deployer's work requests. When one is dead-lettered, approvals reads it from the
 * dead-letter stream and records the attempt as failed, so no build waits for ever.
 */
export const DeployerRequestSubjects = [
  Subjects.PreviewDeploymentRequested,
  Subjects.ProductionDeploymentRequested,
  Subjects.PreviewTeardownRequested,
  Subjects.BuildClosed,
] as const;

/** The schema every message on a stored subject is validated against when received. */
export const MessageSchemas: Record<string, z.ZodType> = {
  [Subjects.BuildCompleted]: inputs.BuildCompletedSchema,
  [Subjects.QaVerdict]: inputs.QaVerdictSchema,
  [Subjects.PromoteRequested]: inputs.PromoteRequestedSchema,
  [Subjects.CloseRequested]: inputs.CloseRequestedSchema,
  [Subjects.KeepRequested]: inputs.KeepRequestedSchema,
  [Subjects.RollbackRequested]: inputs.RollbackRequestedSchema,
  [Subjects.BranchDeleted]: inputs.BranchDeletedSchema,
  [Subjects.DeploymentSucceeded]: outcomes.DeploymentSucceededSchema,
  [Subjects.DeploymentFailed]: outcomes.DeploymentFailedSchema,
  [Subjects.PreviewTornDown]: outcomes.PreviewTornDownSchema,
  [Subjects.BuildRegistered]: domain.BuildRegisteredSchema,
  [Subjects.PreviewDeploymentRequested]: domain.PreviewDeploymentRequestedSchema,
  [Subjects.PreviewDeployed]: domain.PreviewDeployedSchema,
  [Subjects.PreviewDeploymentFailed]: domain.PreviewDeploymentFailedSchema,
  [Subjects.QaApproved]: domain.QaApprovedSchema,
  [Subjects.QaRejected]: domain.QaRejectedSchema,
  [Subjects.BuildApproved]: domain.BuildApprovedSchema,
  [Subjects.ProductionDeploymentRequested]: domain.ProductionDeploymentRequestedSchema,
  [Subjects.ProductionDeployed]: domain.ProductionDeployedSchema,
  [Subjects.ProductionDeploymentFailed]: domain.ProductionDeploymentFailedSchema,
  [Subjects.BuildClosed]: domain.BuildClosedSchema,
  [Subjects.BuildSuperseded]: domain.BuildSupersededSchema,
  [Subjects.PreviewTeardownRequested]: domain.PreviewTeardownRequestedSchema,
  [Subjects.PreviewRemoved]: domain.PreviewRemovedSchema,
  [Subjects.PreviewTeardownFailed]: domain.PreviewTeardownFailedSchema,
  [Subjects.LateOutcomeRecorded]: domain.LateOutcomeRecordedSchema,
  [Subjects.ActionDenied]: domain.ActionDeniedSchema,
  [Subjects.TimerScheduled]: domain.TimerScheduledSchema,
  [Subjects.PreviewKept]: domain.PreviewKeptSchema,
  [Subjects.PreviewExpiryReminded]: domain.PreviewExpiryRemindedSchema,
  [Subjects.BuildExpired]: domain.BuildExpiredSchema,
  [Subjects.ApprovalReminded]: domain.ApprovalRemindedSchema,
  [Subjects.ProductionReplaced]: domain.ProductionReplacedSchema,
};

/** The subject a domain event of `type` is published on. */
export const subjectOfEventType = (type: string): string | undefined => {
  const entry = Object.entries(Subjects).find(([name]) => name === type);
  return entry?.[1];
};
