const MAX_ECHO = 80;

/**
 * A caller's value as it appears in an error answer: JSON-quoted (control characters
 * escaped) and shortened, so an answer never carries a large or unprintable input back.
 */
export function quote(value: string): string {
  const short = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  return JSON.stringify(short);
}
