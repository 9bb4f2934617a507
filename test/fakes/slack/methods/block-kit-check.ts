/**
 * The Block Kit limits Slack enforces that a bot like ours can plausibly break (lengths, counts,
 * missing fields). Not a full schema: unknown block and element types pass unchecked.
 * Failures read like Slack's: `[ERROR] <what> [json-pointer:/blocks/0/text]`.
 */
export type BlocksCheck = { ok: true; blocks: unknown[] } | { ok: false; messages: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkBlocks(value: unknown): BlocksCheck {
  if (!Array.isArray(value)) return { ok: false, messages: ['[ERROR] blocks must be a JSON array [json-pointer:/blocks]'] };
  const errors: string[] = [];
  const err = (path: string, what: string) => errors.push(`[ERROR] ${what} [json-pointer:${path}]`);
  if (value.length > 50) err('/blocks', 'no more than 50 items allowed');
  const blockIds = new Set<string>();
  value.forEach((block, i) => {
    const path = `/blocks/${i}`;
    if (!isObj(block) || typeof block.type !== 'string') return err(path, 'missing required field: type');
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) err(`${path}/block_id`, 'must be less than 256 characters');
      if (blockIds.has(block.block_id)) err(`${path}/block_id`, `duplicate block_id "${block.block_id}"`);
      blockIds.add(block.block_id);
    }
    checkBlock(block, path, err);
  });
  return errors.length ? { ok: false, messages: errors } : { ok: true, blocks: value };
}

type Report = (path: string, what: string) => void;

function checkBlock(block: Obj, path: string, err: Report): void {
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) err(path, 'must provide either text or fields');
      if (block.text !== undefined) checkText(block.text, `${path}/text`, 3000, err);
      if (Array.isArray(block.fields)) {
        if (block.fields.length > 10) err(`${path}/fields`, 'no more than 10 items allowed');
        block.fields.forEach((f, j) => checkText(f, `${path}/fields/${j}`, 2000, err));
      }
      if (isObj(block.accessory)) checkElement(block.accessory, `${path}/accessory`, err);
      return;
    case 'header':
      checkText(block.text, `${path}/text`, 150, err, 'plain_text');
      return;
    case 'context':
      checkList(block.elements, `${path}/elements`, 10, err, (e, p) => {
        if (isObj(e) && e.type !== 'image') checkText(e, p, 3000, err);
      });
      return;
    case 'actions': {
      const actionIds = new Set<string>();
      checkList(block.elements, `${path}/elements`, 25, err, (e, p) => {
        if (!isObj(e)) return err(p, 'must be an object');
        checkElement(e, p, err);
        if (typeof e.action_id === 'string' && actionIds.has(e.action_id)) err(`${p}/action_id`, `duplicate action_id "${e.action_id}"`);
        if (typeof e.action_id === 'string') actionIds.add(e.action_id);
      });
      return;
    }
    default:
      return;
  }
}

function checkElement(element: Obj, path: string, err: Report): void {
  if (typeof element.action_id === 'string' && element.action_id.length > 255) {
    err(`${path}/action_id`, 'must be less than 256 characters');
  }
  if (element.type !== 'button') return;
  checkText(element.text, `${path}/text`, 75, err, 'plain_text');
  if (typeof element.value === 'string' && element.value.length > 2000) err(`${path}/value`, 'must be less than 2001 characters');
  if (typeof element.url === 'string' && element.url.length > 3000) err(`${path}/url`, 'must be less than 3001 characters');
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
    err(`${path}/style`, 'must be one of: primary, danger');
  }
  if (element.confirm !== undefined) checkConfirm(element.confirm, `${path}/confirm`, err);
}

/** A confirmation dialog object: title ≤ 100, text ≤ 300, confirm and deny ≤ 30 characters. */
function checkConfirm(confirm: unknown, path: string, err: Report): void {
  if (!isObj(confirm)) return err(path, 'must be a confirmation dialog object');
  checkText(confirm.title, `${path}/title`, 100, err, 'plain_text');
  checkText(confirm.text, `${path}/text`, 300, err);
  checkText(confirm.confirm, `${path}/confirm`, 30, err, 'plain_text');
  checkText(confirm.deny, `${path}/deny`, 30, err, 'plain_text');
  if (confirm.style !== undefined && confirm.style !== 'primary' && confirm.style !== 'danger') {
    err(`${path}/style`, 'must be one of: primary, danger');
  }
}

function checkText(text: unknown, path: string, max: number, err: Report, only?: 'plain_text'): void {
  if (!isObj(text)) return err(path, 'must be a text object');
  const allowed = only ? [only] : ['plain_text', 'mrkdwn'];
  if (typeof text.type !== 'string' || !allowed.includes(text.type)) err(`${path}/type`, `must be one of: ${allowed.join(', ')}`);
  if (typeof text.text !== 'string' || text.text.length === 0) return err(`${path}/text`, 'must be more than 0 characters');
  if (text.text.length > max) err(`${path}/text`, `must be less than ${max + 1} characters`);
}

function checkList(list: unknown, path: string, max: number, err: Report, each: (e: unknown, p: string) => void): void {
  if (!Array.isArray(list) || list.length === 0) return err(path, 'must provide at least 1 item');
  if (list.length > max) err(path, `no more than ${max} items allowed`);
  list.forEach((e, i) => each(e, `${path}/${i}`));
}
