import { z } from 'zod';
import { BuildId, isSlackActionId, SlackActionId, SlackActions, SlackOrigin, SlackUserId } from '@app/contracts';
import { formValue } from '../http/form';
import { quote } from '../http/quote';
import { readViewSubmission, type ViewSubmissionRead } from './view-submission';

/** One click on one of deploybot's buttons, as the rest of the gateway needs it. */
export interface SlackClick {
  actionId: SlackActionId;
  /** The button's value: deploybot's buttons carry only the build id. */
  buildId: string;
  user: { id: string; name?: string };
  /**
   * When Slack says the click happened. With user, action and build it identifies the
   * click, so a redelivery of the same click is recognised.
   */
  clickedAt: string;
  origin: SlackOrigin;
}

export type InteractionParse =
  | { ok: true; type: 'block_actions' | 'interactive_message'; clicks: SlackClick[] }
  /** The reject modal submitted: a rejection with its reason, or a reason the person must fix first. */
  | { ok: true; type: 'view_submission'; view: Exclude<ViewSubmissionRead, { ok: false }> }
  | { ok: false; message: string };

const User = z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional() });
const Channel = z.object({ id: z.string() });

/** Block Kit buttons (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload). */
const BlockActionsPayload = z.object({
  type: z.literal('block_actions'),
  user: User,
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() })).min(1),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  channel: Channel.optional(),
  message: z.object({ ts: z.string().optional() }).optional(),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
});

/** Legacy attachment buttons: the action id travels as `name` (or the attachment's `callback_id`). */
const InteractiveMessagePayload = z.object({
  type: z.literal('interactive_message'),
  user: User,
  callback_id: z.string().optional(),
  actions: z.array(z.object({ name: z.string().optional(), value: z.string().optional() })).min(1),
  action_ts: z.string().optional(),
  message_ts: z.string().optional(),
  channel: Channel.optional(),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
});

interface RawAction {
  actionId: string | undefined;
  value: string | undefined;
  clickedAt: string | undefined;
}

/**
 * Reads Slack's interactivity request body (`application/x-www-form-urlencoded`,
 * a single field `payload=<JSON>`) into the clicks it reports. Anything that is not a
 * click on one of deploybot's buttons is refused with a reason.
 */
export function parseInteraction(rawBody: string): InteractionParse {
  const payload = formValue(rawBody, 'payload');
  if (payload === undefined) return refuse('expected a form body payload=<JSON>');
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return refuse('the payload is not JSON');
  }
  return parseInteractionPayload(json);
}

/**
 * Reads an interaction payload already parsed from JSON: the `payload` field of an HTTP request, or
 * the payload of a Socket Mode `interactive` envelope (the same object, delivered without a form).
 */
export function parseInteractionPayload(json: unknown): InteractionParse {
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  switch (type) {
    case 'block_actions':
      return parseBlockActions(json);
    case 'interactive_message':
      return parseInteractiveMessage(json);
    case 'view_submission': {
      const view = readViewSubmission(json);
      return view.ok === false ? refuse(view.message) : { ok: true, type: 'view_submission', view };
    }
    default:
      return refuse(
        `unsupported interaction type ${typeof type === 'string' ? quote(type) : 'missing'} (expected block_actions, interactive_message or view_submission)`,
      );
  }
}

function parseBlockActions(json: unknown): InteractionParse {
  const result = BlockActionsPayload.safeParse(json);
  if (!result.success) return refuse(describe(result.error));
  const p = result.data;
  const origin: SlackOrigin = {
    channel: p.container?.channel_id ?? p.channel?.id,
    messageTs: p.container?.message_ts ?? p.message?.ts,
    responseUrl: p.response_url,
    triggerId: p.trigger_id,
  };
  const actions = p.actions.map((a) => ({ actionId: a.action_id, value: a.value, clickedAt: a.action_ts ?? p.trigger_id }));
  return toClicks('block_actions', p.user, actions, origin);
}

function parseInteractiveMessage(json: unknown): InteractionParse {
  const result = InteractiveMessagePayload.safeParse(json);
  if (!result.success) return refuse(describe(result.error));
  const p = result.data;
  const origin: SlackOrigin = { channel: p.channel?.id, messageTs: p.message_ts, responseUrl: p.response_url, triggerId: p.trigger_id };
  const actions = p.actions.map((a) => ({
    actionId: isSlackActionId(a.name) ? a.name : p.callback_id,
    value: a.value,
    clickedAt: p.action_ts ?? p.trigger_id,
  }));
  return toClicks('interactive_message', p.user, actions, origin);
}

function toClicks(
  type: 'block_actions' | 'interactive_message',
  user: z.infer<typeof User>,
  actions: RawAction[],
  origin: SlackOrigin,
): InteractionParse {
  if (!SlackUserId.safeParse(user.id).success) return refuse(`user.id ${quote(user.id)} is not a Slack user id`);
  const clicks: SlackClick[] = [];
  for (const action of actions) {
    if (!isSlackActionId(action.actionId)) {
      return refuse(`unknown action id ${quote(action.actionId ?? '')} (expected one of ${Object.values(SlackActions).join(', ')})`);
    }
    if (action.value === undefined || !BuildId.safeParse(action.value).success) {
      return refuse(`the value of ${action.actionId} must be a build id (1 to 100 characters)`);
    }
    if (!action.clickedAt) return refuse('the click has neither action_ts nor trigger_id');
    const name = user.name ?? user.username;
    clicks.push({
      actionId: action.actionId,
      buildId: action.value,
      user: name ? { id: user.id, name } : { id: user.id },
      clickedAt: action.clickedAt,
      origin,
    });
  }
  return { ok: true, type, clicks };
}

const refuse = (message: string): InteractionParse => ({ ok: false, message });

const describe = (error: z.ZodError): string => error.issues.map((i) => `payload.${i.path.map(String).join('.')}: ${i.message}`).join('; ');
