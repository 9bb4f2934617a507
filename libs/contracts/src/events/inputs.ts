import { z } from 'zod';
import { envelopeSchema } from '../envelope';
import { BuildId, BuildType, SlackOrigin, SlackUserId } from '../common';
import { RejectReason } from '../reject-modal';

/*
 * Inputs: published by the gateway (from CI and Slack), consumed by approvals.
 * Sent between services: renaming a type or a field needs a migration of consumers.
 */

export const BuildCompletedData = z.object({
  /** The gateway's request id (Idempotency-Key or derived from the request); finds the build later. */
  requestId: z.string().min(1).max(100),
  project: z.string().min(1),
  image: z.string().min(1),
  type: BuildType,
  target: z.string().min(1).max(200),
  /**
   * true when CI sent an `Idempotency-Key`: the same key is the same request (and so the same
   * build) for 24 hours, whatever became of the build. Without a key, a request identical to an
   * open build is that build, and the same request after the build ended starts a new one.
   */
  idempotencyKey: z.boolean().optional(),
});
export const BuildCompletedSchema = envelopeSchema('BuildCompleted', BuildCompletedData);
export type BuildCompleted = z.infer<typeof BuildCompletedSchema>;

export const QaVerdictData = z.object({
  buildId: BuildId,
  verdict: z.enum(['approve', 'reject']),
  user: SlackUserId,
  origin: SlackOrigin,
  /** Why, when a QA member rejected through the reject modal and said so (absent for approvals and one-click rejects). */
  reason: RejectReason.optional(),
});
export const QaVerdictSchema = envelopeSchema('QaVerdict', QaVerdictData);
export type QaVerdict = z.infer<typeof QaVerdictSchema>;

export const PromoteRequestedData = z.object({ buildId: BuildId, user: SlackUserId, origin: SlackOrigin });
export const PromoteRequestedSchema = envelopeSchema('PromoteRequested', PromoteRequestedData);
export type PromoteRequested = z.infer<typeof PromoteRequestedSchema>;

export const CloseRequestedData = z.object({ buildId: BuildId, user: SlackUserId, origin: SlackOrigin });
export const CloseRequestedSchema = envelopeSchema('CloseRequested', CloseRequestedData);
export type CloseRequested = z.infer<typeof CloseRequestedSchema>;

/** An owner clicked **Keep** under the reminder that the preview will expire. */
export const KeepRequestedData = z.object({ buildId: BuildId, user: SlackUserId, origin: SlackOrigin });
export const KeepRequestedSchema = envelopeSchema('KeepRequested', KeepRequestedData);
export type KeepRequested = z.infer<typeof KeepRequestedSchema>;

/**
 * An owner clicked **Roll back** on the production announcement of `buildId` (the build that
 * runs in production): production goes back to the project's previous release.
 */
export const RollbackRequestedData = z.object({ buildId: BuildId, user: SlackUserId, origin: SlackOrigin });
export const RollbackRequestedSchema = envelopeSchema('RollbackRequested', RollbackRequestedData);
export type RollbackRequested = z.infer<typeof RollbackRequestedSchema>;

/**
 * CI says a branch was deleted (`POST /branch-deleted`): the preview of its newest build is torn
 * down, and an open build of it ends as expired.
 */
export const BranchDeletedData = z.object({
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1).max(200),
});
export const BranchDeletedSchema = envelopeSchema('BranchDeleted', BranchDeletedData);
export type BranchDeleted = z.infer<typeof BranchDeletedSchema>;
