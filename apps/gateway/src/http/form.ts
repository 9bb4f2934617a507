import { unescape as lenientUnescape } from 'node:querystring';

/**
 * Reading `application/x-www-form-urlencoded` bodies (the WHATWG URL standard's
 * urlencoded parser): `&`-separated `name=value` pairs, `+` for a space, `%XX` for a byte
 * of UTF-8. A malformed escape is kept as it is, as URLSearchParams keeps it.
 */
export function decodeFormComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return lenientUnescape(spaced);
  }
}

/** Every pair of a form body in order, names and values decoded. */
export function formPairs(text: string): Array<[name: string, value: string]> {
  const pairs: Array<[string, string]> = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    pairs.push(
      eq === -1 ? [decodeFormComponent(pair), ''] : [decodeFormComponent(pair.slice(0, eq)), decodeFormComponent(pair.slice(eq + 1))],
    );
  }
  return pairs;
}

/**
 * The first value of one field, decoding only that one: Slack's interactivity body is a
 * single `payload` field of several kilobytes of escaped JSON.
 */
export function formValue(text: string, name: string): string | undefined {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pair = text.slice(start, end);
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    if (pair !== '' && decodeFormComponent(rawName) === name) return eq === -1 ? '' : decodeFormComponent(pair.slice(eq + 1));
    start = end + 1;
  }
  return undefined;
}
