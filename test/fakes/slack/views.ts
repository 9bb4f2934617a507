import { createHmac, randomBytes } from 'node:crypto';
import { checkBlocks } from './methods/block-kit-check';
import type { OpenedView, ViewSubmissionInput, ViewSubmissionResult } from './slack-fake.types';
import { BOT } from './workspace';

/** Slack's trigger ids are valid for 3 s after the click (or command) that made them, and for one view. */
export const TRIGGER_TTL_MS = 3_000;
/** Slack waits this long for the answer to a view_submission, then shows the person an error in the modal. */
export const VIEW_SUBMISSION_TIMEOUT_MS = 3_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The modals opened in the fake workspace (`views.open`) and what became of their submissions.
 * A trigger id whose first part is a time in ms (as the fake's clicks and slash commands make
 * them, `<ms>.<n>.<hex>`) expires 3 s after it; any trigger id opens one view only.
 */
export class ViewStore {
  private opened: OpenedView[] = [];
  private readonly usedTriggers = new Set<string>();
  private next = 1;

  /** views.open: the view as Slack answers it, or Slack's error code. */
  open(triggerId: string, view: unknown, now: number): { ok: true; view: Obj } | { ok: false; error: string; messages?: string[] } {
    if (!triggerId) return { ok: false, error: 'invalid_arguments', messages: ['[ERROR] missing required field: trigger_id'] };
    const issuedAt = Number(triggerId.split('.')[0]);
    if (Number.isFinite(issuedAt) && issuedAt > 1e12 && now - issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    if (this.usedTriggers.has(triggerId)) return { ok: false, error: 'exchanged_trigger_id' };
    const problems = checkModal(view);
    if (problems.length) return { ok: false, error: 'invalid_arguments', messages: problems };
    this.usedTriggers.add(triggerId);
    const modal = view as Obj;
    const id = `V${String(this.next++).padStart(10, '0')}`;
    const answered: Obj = {
      id,
      team_id: BOT.teamId,
      type: 'modal',
      ...modal,
      private_metadata: typeof modal.private_metadata === 'string' ? modal.private_metadata : '',
      callback_id: typeof modal.callback_id === 'string' ? modal.callback_id : '',
      state: { values: {} },
      hash: `${Math.floor(now / 1000)}.${randomBytes(4).toString('hex')}`,
      previous_view_id: null,
      root_view_id: id,
      app_id: BOT.appId,
      external_id: '',
      bot_id: BOT.botId,
    };
    this.opened.push({ id, triggerId, view: answered, openedAt: now, submissions: [] });
    return { ok: true, view: answered };
  }

  views(): OpenedView[] {
    return this.opened.map((v) => structuredClone(v));
  }

  find(viewId: string): OpenedView | undefined {
    return this.opened.find((v) => v.id === viewId);
  }

  reset(): void {
    this.opened = [];
    this.usedTriggers.clear();
  }
}

/** What Slack checks of a modal that a bot like ours can get wrong. */
function checkModal(view: unknown): string[] {
  if (!isObj(view)) return ['[ERROR] view must be a JSON object [json-pointer:/view]'];
  const errors: string[] = [];
  if (view.type !== 'modal') errors.push('[ERROR] must be "modal" [json-pointer:/view/type]');
  for (const [field, required] of [
    ['title', true],
    ['submit', false],
    ['close', false],
  ] as const) {
    const text = view[field];
    if (text === undefined && !required) continue;
    if (!isObj(text) || text.type !== 'plain_text' || typeof text.text !== 'string') {
      errors.push(`[ERROR] must be a plain_text object [json-pointer:/view/${field}]`);
    } else if (text.text.length > 24) errors.push(`[ERROR] must be less than 25 characters [json-pointer:/view/${field}/text]`);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    errors.push('[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    errors.push('[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]');
  }
  const blocks = Array.isArray(view.blocks) ? view.blocks : undefined;
  if (!blocks) return [...errors, '[ERROR] missing required field: blocks [json-pointer:/view/blocks]'];
  const checked = checkBlocks(blocks.filter((b) => !isObj(b) || b.type !== 'input'));
  if (!checked.ok) errors.push(...checked.messages.map((m) => m.replace('json-pointer:/blocks', 'json-pointer:/view/blocks')));
  blocks.forEach((block, i) => {
    if (!isObj(block) || block.type !== 'input') return;
    const path = `/view/blocks/${i}`;
    const label = block.label;
    if (!isObj(label) || typeof label.text !== 'string' || label.text.length > 2000)
      errors.push(`[ERROR] invalid label [json-pointer:${path}/label]`);
    const element = block.element;
    if (!isObj(element) || typeof element.action_id !== 'string')
      errors.push(`[ERROR] missing required field: element [json-pointer:${path}/element]`);
    else if (element.type === 'plain_text_input' && typeof element.max_length === 'number' && element.max_length > 3000) {
      errors.push(`[ERROR] must be at most 3000 [json-pointer:${path}/element/max_length]`);
    }
  });
  return errors;
}

/** The `view_submission` payload Slack sends when a person submits an open modal with these values. */
export function viewSubmissionPayload(view: OpenedView, input: Pick<ViewSubmissionInput, 'user' | 'values'>): Obj {
  const values = Object.fromEntries(
    Object.entries(input.values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(Object.entries(actions).map(([actionId, value]) => [actionId, { type: 'plain_text_input', value }])),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: BOT.teamId, domain: BOT.team },
    user: { id: input.user, username: input.user.toLowerCase(), name: input.user.toLowerCase(), team_id: BOT.teamId },
    api_app_id: BOT.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.2.${randomBytes(8).toString('hex')}`,
    view: { ...view.view, state: { values } },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/**
 * Plays Slack's part when a person submits a modal over HTTP: posts the signed `payload=<json>`
 * form to the app's interactivity URL, waits at most 3 s, and reads the answer as Slack does —
 * an empty 200 closes the modal, `response_action: errors` keeps it open with the errors shown.
 */
export async function sendViewSubmission(view: OpenedView, input: ViewSubmissionInput): Promise<ViewSubmissionResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(viewSubmissionPayload(view, input)) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = input.badSignature ? `${input.signingSecret}-wrong` : input.signingSecret;
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(input.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(VIEW_SUBMISSION_TIMEOUT_MS) });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return record(view, {
      tookMs: Date.now() - started,
      closed: false,
      failure: timedOut ? 'operation_timeout' : `unreachable: ${(error as Error).message}`,
    });
  }
  const text = await response.text();
  const tookMs = Date.now() - started;
  if (response.status !== 200)
    return record(view, { status: response.status, tookMs, closed: false, failure: `http_status_${response.status}` });
  return record(view, { status: 200, ...readViewAnswer(text), tookMs });
}

/** What Slack does with the answer to a view_submission (an HTTP body, or a Socket Mode ack's payload). */
export function readViewAnswer(text: string | Obj | undefined): Omit<ViewSubmissionResult, 'tookMs'> {
  if (text === undefined || text === '' || (isObj(text) && Object.keys(text).length === 0)) return { closed: true };
  let answer: Obj;
  try {
    answer = isObj(text) ? text : (JSON.parse(text) as Obj);
  } catch {
    return { closed: false, failure: 'invalid_response' };
  }
  if (answer.response_action === 'errors' && isObj(answer.errors)) {
    return { answer, closed: false, errors: answer.errors as Record<string, string> };
  }
  if (answer.response_action === 'clear') return { answer, closed: true };
  return { answer, closed: false, failure: `unsupported response_action ${String(answer.response_action)}` };
}

/** Remembers what came of a submission on the view it submitted. */
export function record(view: OpenedView, result: ViewSubmissionResult): ViewSubmissionResult {
  view.submissions.push(result);
  if (result.closed) view.closedAt = Date.now();
  return result;
}
