import { formPairs } from './form';
import { Refusal } from './refusal';

/** The fields of a decoded request body, as the route's validation reads them. */
export type BodyFields = Record<string, unknown>;

/** The request body as the gateway reads it: the exact bytes (see gatewayHttpAdapter), empty when there is none. */
export function bodyBytes(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_MEDIA_TYPE = 'application/json';

/**
 * Decodes a form or JSON body into its fields. An empty body has none (so validation
 * lists every missing field). Refuses other media types and charsets (415) and JSON that
 * does not parse (400). A form keeps what a field really is: a repeated field is an array
 * and `field[key]=…` an object, so validation can say "expected one value" or "expected a string".
 */
export function decodeFields(contentType: string | undefined, body: Buffer): BodyFields {
  if (body.length === 0) return {};
  const { mediaType, charset } = parseContentType(contentType);
  if (mediaType !== FORM && mediaType !== JSON_MEDIA_TYPE) {
    throw new Refusal(415, { error: 'unsupported media type', message: `send ${FORM} or ${JSON_MEDIA_TYPE}` });
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new Refusal(415, { error: 'unsupported media type', message: `the body must be UTF-8, not ${charset}` });
  }
  return mediaType === FORM ? formFields(body.toString('utf8')) : jsonFields(body.toString('utf8'));
}

/** `type/subtype; charset=…` → its parts, lower-cased. */
export function parseContentType(header: string | undefined): { mediaType: string | undefined; charset: string | undefined } {
  if (!header) return { mediaType: undefined, charset: undefined };
  const [type, ...parameters] = header.split(';');
  const charset = parameters
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"(.*)"$/, '$1');
  return { mediaType: type.trim().toLowerCase(), charset };
}

function formFields(text: string): BodyFields {
  const fields: BodyFields = Object.create(null) as BodyFields;
  for (const [name, value] of formPairs(text)) {
    const bracket = name.indexOf('[');
    if (bracket > 0) {
      // `image[a]=x` is a structured value, never the string field `image`.
      const base = name.slice(0, bracket);
      const current = fields[base];
      const nested = isRecord(current) ? current : (Object.create(null) as BodyFields);
      nested[name.slice(bracket)] = value;
      fields[base] = nested;
    } else {
      const current = fields[name];
      fields[name] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
    }
  }
  return fields;
}

const isRecord = (value: unknown): value is BodyFields => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonFields(text: string): BodyFields {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Refusal(400, { error: 'bad request', message: (error as Error).message });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw Refusal.invalid([{ field: 'body', message: 'expected an object with project, image, type and target' }]);
  }
  return json as BodyFields;
}
