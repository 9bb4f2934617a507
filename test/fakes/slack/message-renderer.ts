/**
 * Renders a Slack message as plain text lines, for the demo and for reading test failures:
 * blocks when there are any (section, header, context, actions, divider, image), else `text`.
 *
 *   # Build ready for QA
 *   Preview: staging (https://staging.branch.example.org)
 *   [context: QA: @U0QA00001]
 *   [button: Approve (qa.approve)] [button: Reject (qa.reject)]
 */
export function renderMessage(msg: { text?: string; blocks?: unknown }): string {
  const blocks = Array.isArray(msg.blocks) ? msg.blocks : [];
  if (blocks.length === 0) return mrkdwn(msg.text ?? '');
  return blocks.flatMap(renderBlock).join('\n');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function renderBlock(block: unknown): string[] {
  if (!isObj(block)) return ['[?]'];
  const elements = Array.isArray(block.elements) ? block.elements : [];
  switch (block.type) {
    case 'header':
      return [`# ${textOf(block.text)}`];
    case 'section': {
      const lines = block.text === undefined ? [] : textOf(block.text).split('\n');
      const fields = Array.isArray(block.fields) ? block.fields.map((f) => `- ${textOf(f)}`) : [];
      const accessory = isObj(block.accessory) ? [renderElement(block.accessory)] : [];
      return [...lines, ...fields, ...accessory];
    }
    case 'context':
      return [
        `[context: ${elements.map((e) => (isObj(e) && e.type === 'image' ? `image: ${String(e.alt_text ?? '')}` : textOf(e))).join(' | ')}]`,
      ];
    case 'actions':
      return [elements.map(renderElement).join(' ')];
    case 'divider':
      return ['---'];
    case 'image':
      return [`[image: ${String(block.alt_text ?? '')}]`];
    default:
      return [`[${String(block.type)}]`];
  }
}

/** `[button: Approve (qa.approve)]`, with the URL when the button opens one. */
function renderElement(element: unknown): string {
  if (!isObj(element)) return '[?]';
  const label = element.text !== undefined ? textOf(element.text) : element.placeholder !== undefined ? textOf(element.placeholder) : '';
  const id = typeof element.action_id === 'string' ? ` (${element.action_id})` : '';
  const url = typeof element.url === 'string' ? ` ${element.url}` : '';
  return `[${String(element.type)}: ${label}${id}${url}]`;
}

function textOf(text: unknown): string {
  if (typeof text === 'string') return mrkdwn(text);
  if (isObj(text) && typeof text.text === 'string') return text.type === 'mrkdwn' ? mrkdwn(text.text) : text.text;
  return '';
}

/** Slack's link, mention and date syntax as a reader would see it (a date as its fallback text, in UTC). */
function mrkdwn(text: string): string {
  return text
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]+)>/g, '$1');
}
