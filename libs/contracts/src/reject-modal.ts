import { z } from 'zod';
import { BuildId, SlackUserId } from './common';

/*
 * Reject with a reason. A click on **Reject** does not reject at once: the gateway asks the
 * notifier (core NATS request/reply on Subjects.OpenRejectModal, not stored) to open a modal with
 * the click's trigger id — Slack accepts `views.open` only within 3 s of the click — and the
 * modal's submission comes back to the gateway as a `view_submission`, which becomes the same
 * `QaVerdict` (verdict `reject`) as the one-click reject, with the reason.
 *
 * The ids and the private metadata below travel through Slack: a modal opened by one release may
 * be submitted to the next. Renaming one breaks the modals open at the time.
 */

/** The longest reason a QA member may give; the modal's input says so, the gateway refuses longer ones. */
export const REJECT_REASON_MAX_CHARS = 500;

/** A QA member's reason for rejecting a build: optional, at most REJECT_REASON_MAX_CHARS characters. */
export const RejectReason = z.string().min(1).max(REJECT_REASON_MAX_CHARS);

/** The modal's ids: its `callback_id`, and the block and action ids of its one input. */
export const RejectModalIds = {
  callbackId: 'deploybot.qa.reject-reason',
  reasonBlockId: 'reject-reason',
  reasonActionId: 'reason',
} as const;

/**
 * The modal's `private_metadata` (JSON, Slack allows 3,000 characters): which build, and where the
 * Reject button was, so a refusal is answered where the person clicked.
 */
export const RejectModalMetadata = z.object({
  buildId: BuildId,
  channel: z.string().max(40).optional(),
  messageTs: z.string().max(40).optional(),
});
export type RejectModalMetadata = z.infer<typeof RejectModalMetadata>;

/** gateway → notifier: open the reject modal for this click. */
export const OpenRejectModalRequest = z.object({
  /** The click's trigger id: valid for 3 s from the click, and for one view only. */
  triggerId: z.string().min(1).max(200),
  user: SlackUserId,
  metadata: RejectModalMetadata,
});
export type OpenRejectModalRequest = z.infer<typeof OpenRejectModalRequest>;

/** notifier → gateway: the modal is open (Slack answered `views.open` ok), or why not. */
export type OpenRejectModalReply = { ok: true; viewId: string } | { ok: false; message: string };
