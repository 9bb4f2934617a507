import { z } from 'zod';
import { envelopeSchema } from '../envelope';
import { ActionKind, BuildId, BuildType, SlackChannelId, SlackOrigin, SlackUserId } from '../common';
import { RejectReason } from '../reject-modal';

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

/**
 * Names one attempt at work another service does for a build (a preview or production
 * deployment, a teardown). Outcomes quote it back; approvals ignores outcomes of attempts that
 * are no longer current. Deterministic (`<build>:preview`, `<build>:production:2`,
 * `<build>:teardown:1`), so folding a stream needs no envelope ids. Absent in events written
 * before it existed: approvals upcasts those with the event's id, which older deployers quoted.
 */
export const AttemptId = z.string().min(1).max(200);

/** When the deployer stops watching a rollout and reports it failed (ISO time). A redelivered request keeps it. */
export const RolloutDeadline = z.iso.datetime({ offset: true });

/** A content digest, `sha256:` and 64 hex digits. */
export const ImageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected a digest like sha256:<64 hex digits>');

/**
 * Why an attempt failed: the deployer said so (`deployer`, the default), approvals' deadline passed
 * with no answer (`deadline`), or the deployer gave the request up (`dead-letter`).
 */
export const FailureCause = z.enum(['deployer', 'deadline', 'dead-letter']);
export type FailureCause = z.infer<typeof FailureCause>;

export const PreviewDeploymentRequestedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId.optional(),
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
  image: z.string().min(1),
  url: z.url(),
  rolloutDeadline: RolloutDeadline.optional(),
});

export const PreviewDeployedData = z.object({
  buildId: BuildId,
  url: z.url(),
  /** The digest the preview's pods run (from their `imageID`); production deploys exactly this. */
  digest: ImageDigest.optional(),
  /** `repository@digest`: the image production will run. Absent when the cluster reported no digest. */
  pinnedImage: z.string().min(1).optional(),
});
export const PreviewDeploymentFailedData = z.object({ buildId: BuildId, reason: z.string().min(1), cause: FailureCause.optional() });

export const QaApprovedData = z.object({
  buildId: BuildId,
  by: SlackUserId,
  /** Every QA member who has approved so far, this one included. */
  approvals: z.array(SlackUserId),
  required: z.number().int().min(0),
});
/** `reason`: what the QA member wrote in the reject modal; absent when they gave none (and in events older than the modal). */
export const QaRejectedData = z.object({ buildId: BuildId, by: SlackUserId, reason: RejectReason.optional() });
export const BuildApprovedData = z.object({ buildId: BuildId, approvedBy: z.array(SlackUserId) });

export const ProductionDeploymentRequestedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId.optional(),
  project: z.string().min(1),
  /** `repository@sha256:…` when the preview reported its digest: the bits QA saw, whatever the tag points to now. */
  image: z.string().min(1),
  digest: ImageDigest.optional(),
  url: z.url(),
  by: SlackUserId,
  attempt: z.number().int().min(1),
  rolloutDeadline: RolloutDeadline.optional(),
  /** A rollback: this build (a previous release) goes back to production in place of `rollbackOf`, the build that ran there. */
  rollbackOf: BuildId.optional(),
});
/**
 * `release`: the project's production release number (its `ProductionDeployed` events counted,
 * rollbacks included); absent in events written before releases were numbered.
 * `rollbackOf`: set when this release was a rollback (see ProductionDeploymentRequested).
 * `previous`: the release production ran before this one (`image` pinned to its digest), what
 * **Roll back** on this announcement returns to; absent for a project's first release.
 */
export const ProductionDeployedData = z.object({
  buildId: BuildId,
  url: z.url(),
  by: SlackUserId,
  digest: ImageDigest.optional(),
  release: z.number().int().min(1).optional(),
  rollbackOf: BuildId.optional(),
  previous: z.object({ buildId: BuildId, image: z.string().min(1), release: z.number().int().min(1) }).optional(),
});
/** `rollbackOf`: a rollback failed; the build stays what it was (in production as far as the log knows). */
export const ProductionDeploymentFailedData = z.object({
  buildId: BuildId,
  reason: z.string().min(1),
  by: SlackUserId,
  attempt: z.number().int().min(1),
  cause: FailureCause.optional(),
  rollbackOf: BuildId.optional(),
});

/**
 * An owner closed the build. Events written before `PreviewTeardownRequested` existed (no
 * `attemptId`) also asked the deployer to tear the preview down; newer ones are followed by a
 * `PreviewTeardownRequested` that does.
 */
export const BuildClosedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId.optional(),
  by: SlackUserId,
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
});
export const BuildSupersededData = z.object({
  buildId: BuildId,
  supersededBy: BuildId,
  newImage: z.string().min(1),
  /** `newer-build`: CI sent a newer build of the target; `digest-changed`: the preview now runs other bits. */
  reason: z.enum(['newer-build', 'digest-changed']).optional(),
});

/**
 * Why a preview is removed: the build was closed, it reached production (the project's
 * `previews.removeAfterProduction`), it expired (`previews.ttl`, `approvals.expireAfter`), or CI
 * said its branch was deleted (`POST /branch-deleted`).
 */
export const TeardownReason = z.enum(['closed', 'in-production', 'expired', 'branch-deleted']);
export type TeardownReason = z.infer<typeof TeardownReason>;

export const PreviewTeardownRequestedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId,
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
  reason: TeardownReason,
});
export const PreviewRemovedData = z.object({
  buildId: BuildId,
  deleted: z.array(z.string()),
  attemptId: AttemptId.optional(),
  reason: TeardownReason.optional(),
});
export const PreviewTeardownFailedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId,
  reason: z.string().min(1),
  cause: FailureCause,
});

/**
 * An outcome arrived for an attempt approvals had already ended (its deadline passed, or it was
 * dead-lettered). Kept for the audit trail; it changes nothing.
 */
export const LateOutcomeRecordedData = z.object({
  buildId: BuildId,
  attemptId: AttemptId,
  outcome: z.enum(['succeeded', 'failed', 'torn-down']),
  detail: z.string().optional(),
});

/**
 * The durable timers of a build (projects file `previews.ttl`/`remindBefore`,
 * `approvals.remindAfter`/`expireAfter`): each one is a `TimerScheduled` event, and a row in
 * approvals' `deadlines` table written with it. When it is due, approvals decides what it means
 * for the build as it then is (input id `timer:<timerId>`, so it fires once with any number of
 * replicas); a build that moved on drops its timers.
 */
export const TimerKind = z.enum(['preview-reminder', 'preview-expiry', 'qa-reminder', 'owner-reminder', 'approval-expiry']);
export type TimerKind = z.infer<typeof TimerKind>;

export const TimerScheduledData = z.object({
  buildId: BuildId,
  /** `<build>:<kind>:<n>`: a timer scheduled again (Keep) gets a new id, so the old one cannot fire. */
  timerId: AttemptId,
  kind: TimerKind,
  dueAt: z.iso.datetime({ offset: true }),
});

/** An owner clicked **Keep**: the preview lives until `until` (another `previews.ttl` from the click). */
export const PreviewKeptData = z.object({ buildId: BuildId, by: SlackUserId, until: z.iso.datetime({ offset: true }) });

/** The preview expires at `expiresAt` unless an owner keeps it: the owners are asked, with a **Keep** button. */
export const PreviewExpiryRemindedData = z.object({ buildId: BuildId, expiresAt: z.iso.datetime({ offset: true }) });

/**
 * The build ended without shipping because time ran out or its branch went away: `preview-ttl`
 * (the preview outlived `previews.ttl`), `approval-ttl` (nobody decided within
 * `approvals.expireAfter`), `branch-deleted` (CI said so). A `PreviewTeardownRequested` follows.
 * The same CI request sent again starts a fresh build.
 */
export const BuildExpiredData = z.object({
  buildId: BuildId,
  why: z.enum(['preview-ttl', 'approval-ttl', 'branch-deleted']),
  project: z.string().min(1),
  type: BuildType,
  target: z.string().min(1),
});

/**
 * A later release replaced this build in production: build `replacedBy` shipped as the project's
 * release `release`, by `by`. `rolledBack`: that release was a rollback of this one (an owner
 * clicked **Roll back** on its announcement). Appended to this build's stream in the transaction
 * that appends the replacing build's `ProductionDeployed`, so each build's own stream says when it
 * left production.
 */
export const ProductionReplacedData = z.object({
  buildId: BuildId,
  replacedBy: BuildId,
  release: z.number().int().min(1),
  by: SlackUserId,
  rolledBack: z.boolean(),
});

/** A nudge about a build that waits for QA: to the QA members in `waitingFor` (their DM threads), or then to the owners. */
export const ApprovalRemindedData = z.object({
  buildId: BuildId,
  audience: z.enum(['qa', 'owners']),
  /** QA members who have not answered yet. */
  waitingFor: z.array(SlackUserId),
});

export const ActionDeniedData = z.object({
  /** Absent when the click named a build that does not exist. */
  buildId: BuildId.optional(),
  project: z.string().optional(),
  user: SlackUserId,
  action: ActionKind,
  /**
   * Shown to the person: "only the QA team of Shop can approve builds". Plain text; people
   * appear as `@<user id>` and are listed in `people`, which the notifier turns into mentions.
   */
  reason: z.string().min(1),
  people: z.array(SlackUserId).optional(),
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
export const PreviewTeardownRequestedSchema = envelopeSchema('PreviewTeardownRequested', PreviewTeardownRequestedData);
export const PreviewRemovedSchema = envelopeSchema('PreviewRemoved', PreviewRemovedData);
export const PreviewTeardownFailedSchema = envelopeSchema('PreviewTeardownFailed', PreviewTeardownFailedData);
export const LateOutcomeRecordedSchema = envelopeSchema('LateOutcomeRecorded', LateOutcomeRecordedData);
export const ActionDeniedSchema = envelopeSchema('ActionDenied', ActionDeniedData);
export const TimerScheduledSchema = envelopeSchema('TimerScheduled', TimerScheduledData);
export const PreviewKeptSchema = envelopeSchema('PreviewKept', PreviewKeptData);
export const PreviewExpiryRemindedSchema = envelopeSchema('PreviewExpiryReminded', PreviewExpiryRemindedData);
export const BuildExpiredSchema = envelopeSchema('BuildExpired', BuildExpiredData);
export const ApprovalRemindedSchema = envelopeSchema('ApprovalReminded', ApprovalRemindedData);
export const ProductionReplacedSchema = envelopeSchema('ProductionReplaced', ProductionReplacedData);

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
export type PreviewTeardownRequested = z.infer<typeof PreviewTeardownRequestedSchema>;
export type PreviewRemoved = z.infer<typeof PreviewRemovedSchema>;
export type PreviewTeardownFailed = z.infer<typeof PreviewTeardownFailedSchema>;
export type LateOutcomeRecorded = z.infer<typeof LateOutcomeRecordedSchema>;
export type ActionDenied = z.infer<typeof ActionDeniedSchema>;
export type TimerScheduled = z.infer<typeof TimerScheduledSchema>;
export type PreviewKept = z.infer<typeof PreviewKeptSchema>;
export type PreviewExpiryReminded = z.infer<typeof PreviewExpiryRemindedSchema>;
export type BuildExpired = z.infer<typeof BuildExpiredSchema>;
export type ApprovalReminded = z.infer<typeof ApprovalRemindedSchema>;
export type ProductionReplaced = z.infer<typeof ProductionReplacedSchema>;

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
  | PreviewTeardownRequested
  | PreviewRemoved
  | PreviewTeardownFailed
  | LateOutcomeRecorded
  | ActionDenied
  | TimerScheduled
  | PreviewKept
  | PreviewExpiryReminded
  | BuildExpired
  | ApprovalReminded
  | ProductionReplaced;

export type BuildEventType = BuildEvent['type'];
/** The data of one domain event type. */
export type BuildEventData<T extends BuildEventType> = Extract<BuildEvent, { type: T }>['data'];
