import { z } from 'zod';
import { REJECT_REASON_MAX_CHARS, RejectModalIds, RejectModalMetadata, SlackUserId } from '@app/contracts';
import { quote } from '../http/quote';

/** A QA member submitted the reject modal: the rejection, with the reason when they gave one. */
export interface RejectSubmission {
  buildId: string;
  user: { id: string; name?: string };
  /** Trimmed; absent when left empty. */
  reason?: string;
  /** The modal's id and hash: with user and build they identify the submission, so a redelivery is stored once. */
  viewId: string;
  viewHash: string;
  /** Where the Reject button was (from the modal's private metadata). */
  channel?: string;
  messageTs?: string;
}

/** What a view_submission payload is: a rejection to publish, one to answer with an error in the modal, or not ours. */
export type ViewSubmissionRead =
  | { ok: true; submission: RejectSubmission }
  /** The person can fix it: Slack shows `errors` under the input, the modal stays open. */
  | { ok: 'fix'; errors: Record<string, string> }
  | { ok: false; message: string };

const ViewSubmissionPayload = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional() }),
  view: z.object({
    id: z.string().min(1).max(100),
    hash: z.string().max(100).optional(),
    callback_id: z.string().optional(),
    private_metadata: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))) }),
  }),
});

/**
 * Reads a `view_submission` of the reject modal (Block Kit's `view_submission` payload: the modal's
 * `callback_id`, its `private_metadata` and the input's value in `view.state.values`). Pure.
 * A reason longer than REJECT_REASON_MAX_CHARS (the input's own `max_length` stops people first)
 * is sent back to the modal as an error, never cut; an empty one is no reason.
 */
export function readViewSubmission(json: unknown): ViewSubmissionRead {
  const parsed = ViewSubmissionPayload.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `payload.${i.path.map(String).join('.')}: ${i.message}`).join('; ') };
  }
  const { user, view } = parsed.data;
  if (view.callback_id !== RejectModalIds.callbackId) {
    return { ok: false, message: `unknown view ${quote(view.callback_id ?? '')} (expected ${RejectModalIds.callbackId})` };
  }
  if (!SlackUserId.safeParse(user.id).success) return { ok: false, message: `user.id ${quote(user.id)} is not a Slack user id` };
  const metadata = readMetadata(view.private_metadata);
  if (!metadata) return { ok: false, message: 'the modal has no valid private_metadata (expected {"buildId":…})' };
  const reason = view.state.values[RejectModalIds.reasonBlockId]?.[RejectModalIds.reasonActionId]?.value?.trim();
  if (reason && reason.length > REJECT_REASON_MAX_CHARS) {
    return {
      ok: 'fix',
      errors: {
        [RejectModalIds.reasonBlockId]: `Please keep the reason to ${REJECT_REASON_MAX_CHARS} characters (it has ${reason.length}).`,
      },
    };
  }
  const name = user.name ?? user.username;
  return {
    ok: true,
    submission: {
      buildId: metadata.buildId,
      user: name ? { id: user.id, name } : { id: user.id },
      ...(reason ? { reason } : {}),
      viewId: view.id,
      viewHash: view.hash ?? '',
      ...(metadata.channel ? { channel: metadata.channel } : {}),
      ...(metadata.messageTs ? { messageTs: metadata.messageTs } : {}),
    },
  };
}

function readMetadata(text: string | undefined): RejectModalMetadata | undefined {
  if (!text) return undefined;
  try {
    const result = RejectModalMetadata.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
