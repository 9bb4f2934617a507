import { z } from 'zod';
import { envelopeSchema } from '../envelope';
import { ActionKind, BuildId, BuildType, SlackChannelId, SlackOrigin, SlackUserId } from '../common';

/*
 * Domain events: appended by approvals to one stream per build (`build-<buildId>`),
 * published from the event log by its relay, consumed by the deployer and the notifier.
 * Persisted forever in the event log: renaming a type or a field needs a migration
 * (an upcaster in approvals) — add optional fields instead.
 */

export const BuildRegisteredData = z.object({
  buildId: BuildId,
  requestId: z.string().min(1),
  project: z.string().min(1),
  projectName: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
  image: z.string().min(1),
  previewUrl: z.url(),
  productionUrl: z.url(),
  /** The project's channel and roles when the build was registered: what Slack shows follows the log. */
  channel: SlackChannelId,
  qa: z.array(SlackUserId),
  owners: z.array(SlackUserId),
  approvalsRequired: z.number().int().min(0),
});

export const PreviewDeploymentRequestedData = z.object({
  buildId: BuildId,
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
  image: z.string().min(1),
  url: z.url(),
});

export const PreviewDeployedData = z.object({ buildId: BuildId, url: z.url() });
export const PreviewDeploymentFailedData = z.object({ buildId: BuildId, reason: z.string().min(1) });

export const QaApprovedData = z.object({
  buildId: BuildId,
  by: SlackUserId,
  /** Every QA member who has approved so far, this one included. */
  approvals: z.array(SlackUserId),
  required: z.number().int().min(0),
});
export const QaRejectedData = z.object({ buildId: BuildId, by: SlackUserId });
export const BuildApprovedData = z.object({ buildId: BuildId, approvedBy: z.array(SlackUserId) });

export const ProductionDeploymentRequestedData = z.object({
  buildId: BuildId,
  project: z.string().min(1),
  image: z.string().min(1),
  url: z.url(),
  by: SlackUserId,
  attempt: z.number().int().min(1),
});
export const ProductionDeployedData = z.object({ buildId: BuildId, url: z.url(), by: SlackUserId });
export const ProductionDeploymentFailedData = z.object({
  buildId: BuildId,
  reason: z.string().min(1),
  by: SlackUserId,
  attempt: z.number().int().min(1),
});

export const BuildClosedData = z.object({
  buildId: BuildId,
  by: SlackUserId,
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
});
export const BuildSupersededData = z.object({
  buildId: BuildId,
  supersededBy: BuildId,
  newImage: z.string().min(1),
});
export const PreviewRemovedData = z.object({ buildId: BuildId, deleted: z.array(z.string()) });

export const ActionDeniedData = z.object({
  /** Absent when the click named a build that does not exist. */
  buildId: BuildId.optional(),
  project: z.string().optional(),
  user: SlackUserId,
  action: ActionKind,
  /** Shown to the person as is: "only the QA team of Shop can approve builds". */
  reason: z.string().min(1),
  origin: SlackOrigin,
});

export const BuildRegisteredSchema = envelopeSchema('BuildRegistered', BuildRegisteredData);
export const PreviewDeploymentRequestedSchema = envelopeSchema('PreviewDeploymentRequested', PreviewDeploymentRequestedData);
export const PreviewDeployedSchema = envelopeSchema('PreviewDeployed', PreviewDeployedData);
export const PreviewDeploymentFailedSchema = envelopeSchema('PreviewDeploymentFailed', PreviewDeploymentFailedData);
export const QaApprovedSchema = envelopeSchema('QaApproved', QaApprovedData);
export const QaRejectedSchema = envelopeSchema('QaRejected', QaRejectedData);
export const BuildApprovedSchema = envelopeSchema('BuildApproved', BuildApprovedData);
export const ProductionDeploymentRequestedSchema = envelopeSchema('ProductionDeploymentRequested', ProductionDeploymentRequestedData);
export const ProductionDeployedSchema = envelopeSchema('ProductionDeployed', ProductionDeployedData);
export const ProductionDeploymentFailedSchema = envelopeSchema('ProductionDeploymentFailed', ProductionDeploymentFailedData);
export const BuildClosedSchema = envelopeSchema('BuildClosed', BuildClosedData);
export const BuildSupersededSchema = envelopeSchema('BuildSuperseded', BuildSupersededData);
export const PreviewRemovedSchema = envelopeSchema('PreviewRemoved', PreviewRemovedData);
export const ActionDeniedSchema = envelopeSchema('ActionDenied', ActionDeniedData);

export type BuildRegistered = z.infer<typeof BuildRegisteredSchema>;
export type PreviewDeploymentRequested = z.infer<typeof PreviewDeploymentRequestedSchema>;
export type PreviewDeployed = z.infer<typeof PreviewDeployedSchema>;
export type PreviewDeploymentFailed = z.infer<typeof PreviewDeploymentFailedSchema>;
export type QaApproved = z.infer<typeof QaApprovedSchema>;
export type QaRejected = z.infer<typeof QaRejectedSchema>;
export type BuildApproved = z.infer<typeof BuildApprovedSchema>;
export type ProductionDeploymentRequested = z.infer<typeof ProductionDeploymentRequestedSchema>;
export type ProductionDeployed = z.infer<typeof ProductionDeployedSchema>;
export type ProductionDeploymentFailed = z.infer<typeof ProductionDeploymentFailedSchema>;
export type BuildClosed = z.infer<typeof BuildClosedSchema>;
export type BuildSuperseded = z.infer<typeof BuildSupersededSchema>;
export type PreviewRemoved = z.infer<typeof PreviewRemovedSchema>;
export type ActionDenied = z.infer<typeof ActionDeniedSchema>;

/** Every domain event of a build stream. */
export type BuildEvent =
  | BuildRegistered
  | PreviewDeploymentRequested
  | PreviewDeployed
  | PreviewDeploymentFailed
  | QaApproved
  | QaRejected
  | BuildApproved
  | ProductionDeploymentRequested
  | ProductionDeployed
  | ProductionDeploymentFailed
  | BuildClosed
  | BuildSuperseded
  | PreviewRemoved
  | ActionDenied;

export type BuildEventType = BuildEvent['type'];
/** The data of one domain event type. */
export type BuildEventData<T extends BuildEventType> = Extract<BuildEvent, { type: T }>['data'];
