import type { IncomingMessage } from 'node:http';

/** Arguments that Slack takes as JSON-encoded strings in a form body (WebClient sends them that way). */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];
const API_PATH = /^\/api\/([A-Za-z0-9_.]+)$/;

/** A Web API call as received: method from the path, arguments merged from query and body. */
export interface SlackRequest {
  method: string;
  args: Record<string, unknown>;
  /** From `Authorization: Bearer …`, else the `token` argument. */
  token?: string;
  /** Slack's warnings for the request (`missing_charset` for JSON without a charset). */
  warnings: string[];
  /** Set when the body could not be read as Slack reads it, e.g. `invalid_json`. */
  error?: string;
}

/** The Web API method named by a request path, or undefined when the path is not `/api/<method>`. */
export const methodOf = (url: string | undefined): string | undefined => API_PATH.exec(new URL(url ?? '/', 'http://fake').pathname)?.[1];

/** Reads a request the way Slack does: form-encoded or JSON body, query arguments too, token from header or form. */
export async function readSlackRequest(req: IncomingMessage, method: string): Promise<SlackRequest> {
  const raw = await readBody(req);
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams);
  const body = parseBody(req.headers['content-type'], raw);
  const args: Record<string, unknown> = { ...query, ...body.args };
  const token = bearerToken(req.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
  delete args.token;
  for (const field of JSON_FIELDS) args[field] = parseJsonField(args[field]);
  for (const key of Object.keys(args)) if (args[key] === undefined) delete args[key];
  return { method, args, token, warnings: body.warnings, error: body.error };
}

interface ParsedBody {
  args: Record<string, unknown>;
  warnings: string[];
  error?: string;
}

function parseBody(contentType: string | undefined, raw: string): ParsedBody {
  if (raw.length === 0) return { args: {}, warnings: [] };
  if (!contentType) return { args: {}, warnings: [], error: 'missing_post_type' };
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type === 'application/x-www-form-urlencoded') {
    return { args: Object.fromEntries(new URLSearchParams(raw)), warnings: [] };
  }
  if (type === 'application/json') {
    const warnings = params.some((p) => p.startsWith('charset=')) ? [] : ['missing_charset'];
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return { args: parsed as Record<string, unknown>, warnings };
      }
    } catch {
      // falls through to invalid_json
    }
    return { args: {}, warnings, error: 'invalid_json' };
  }
  // multipart/form-data (file uploads) is not spoken by this fake; Slack's own answer for
  // an unusable content type is invalid_post_type.
  return { args: {}, warnings: [], error: 'invalid_post_type' };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** `blocks` arrive as JSON text in a form body; keep the text when it is not JSON so the method can refuse it. */
function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
